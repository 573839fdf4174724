npx bun run examples/timer/app.ts
