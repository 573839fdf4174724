deno run -A app.ts
