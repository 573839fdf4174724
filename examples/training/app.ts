// A training app to deploy: `npx lit deploy app.ts --host gpu-box --host cpu=cpu-box` puts it, flow
// included, on your machines; it trains, then runs on (its UI and API up) until `npx lit stop`.
// Locally: `npx bun run app.ts` (Ctrl-C ends it).
import * as L from "lit-app";

export class Prepare extends L.LightningWork {
  rows = 0;

  async run(rows: number) {
    this.rows = rows;
    console.log(`prepared ${rows} rows`);
  }
}

export class Train extends L.LightningWork {
  loss = 1;

  async run(rows: number, epochs: number) {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      this.loss = Math.round(this.loss * 0.8 * 1000) / 1000;
      console.log(`epoch ${epoch}/${epochs} on ${rows} rows: loss ${this.loss}`);
    }
  }
}

export class Training extends L.LightningFlow {
  prepare = new Prepare({ cloudCompute: new L.CloudCompute("cpu") });
  train = new Train({ cloudCompute: new L.CloudCompute("gpu") });
  trained = false;

  run() {
    this.prepare.run(1000);
    this.train.run(this.prepare.rows, 20);
    if (!this.trained) {
      this.trained = true;
      console.log(`flow: trained, loss ${this.train.loss}; the app runs on until lit stop`);
    }
  }
}

export default new L.LightningApp(new Training());
