npx lit run app.ts --runtime deno
