npx lit run examples/workflow/app.ts --isolation process
