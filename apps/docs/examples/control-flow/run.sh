npx bun run examples/control-flow/app.ts
