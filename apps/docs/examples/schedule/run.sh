npx bun run examples/schedule/app.ts
