npx lit apps
