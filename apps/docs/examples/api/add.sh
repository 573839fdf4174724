npx lit add-notebook --username alice --use-gpu
