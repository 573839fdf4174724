npm install lit-app
