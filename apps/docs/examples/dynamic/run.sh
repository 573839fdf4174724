npx bun run examples/dynamic/app.ts
