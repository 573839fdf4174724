npx lit logs -f
