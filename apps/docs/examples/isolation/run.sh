npx bun run examples/isolation/app.ts
