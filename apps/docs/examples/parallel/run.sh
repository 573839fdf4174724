npx bun run examples/parallel/app.ts
