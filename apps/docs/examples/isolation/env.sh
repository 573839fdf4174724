LIT_ISOLATION=process npx bun run examples/workflow/app.ts
