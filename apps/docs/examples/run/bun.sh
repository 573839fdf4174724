bun run app.ts
