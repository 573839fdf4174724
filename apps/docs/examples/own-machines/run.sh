npx lit run app.ts --host cpu=cpu-box --host gpu=gpu-box
