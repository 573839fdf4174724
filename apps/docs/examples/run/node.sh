npx lit run app.ts
