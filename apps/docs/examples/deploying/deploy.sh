npx lit deploy app.ts --host gpu-box --host cpu=cpu-box
