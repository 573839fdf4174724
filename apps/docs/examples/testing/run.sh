npx vitest run app.test.ts
