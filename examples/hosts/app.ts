// Works on your own machines: a CPU work, a GPU work, and a script of the app's folder run on a host.
// Here: `npx bun run app.ts`. On your machines: `npx lit run app.ts --host cpu=cpu-box --host gpu=gpu-box`.
import * as L from "lit-app";

export class Prepare extends L.LightningWork {
  rows = 0;

  async run(rows: number) {
    this.rows = rows;
    console.log(`prepared ${rows} rows`);
  }
}

export class Train extends L.LightningWork {
  async run(rows: number) {
    // On a host, the agent gives a "gpu" work one GPU and names it here.
    console.log(`training on ${rows} rows with GPU ${process.env.CUDA_VISIBLE_DEVICES ?? "none"}`);
  }
}

export class HostsApp extends L.LightningFlow {
  prepare = new Prepare({ cloudCompute: new L.CloudCompute("cpu") });
  train = new Train({ cloudCompute: new L.CloudCompute("gpu") });
  // A program of the app's folder: on a host it runs in the copy of this folder there.
  evaluate = new L.CommandWork({ command: "sh", args: ["scripts/evaluate.sh"], cloudCompute: new L.CloudCompute("cpu") });

  run() {
    this.prepare.run(1000);
    this.train.run(this.prepare.rows);
    this.evaluate.run();
    this.stop("trained and evaluated");
  }
}

export default new L.LightningApp(new HostsApp());
