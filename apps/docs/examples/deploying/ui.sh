npx lit ui
