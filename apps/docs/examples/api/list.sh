npx lit list-notebooks
