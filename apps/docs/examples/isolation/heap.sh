npx lit run examples/workflow/app.ts --heap-mb 512
