curl http://127.0.0.1:7501/api/notebooks
