npx lit logs
