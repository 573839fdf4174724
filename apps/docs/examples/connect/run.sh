npx bun run examples/connect/app.ts
