npx lit status
