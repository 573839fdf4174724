npx lit run examples/notebooks/app.ts
