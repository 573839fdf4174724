npx lit logs root.train
