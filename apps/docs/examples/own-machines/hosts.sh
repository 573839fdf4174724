npx lit hosts gpu-box
