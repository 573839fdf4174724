npx lit stop
