npx bun run examples/storage/app.ts
