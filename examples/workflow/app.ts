// The toy workflow: two works, A then B. Run it with `npx bun run examples/workflow/app.ts`.
import * as L from "lit-app";

export class LitWorker extends L.LightningWork {
  async run(message: string) {
    console.log(message);
  }
}

export class LitWorkflow extends L.LightningFlow {
  workA = new LitWorker({ cloudCompute: new L.CloudCompute("cpu") });
  workB = new LitWorker({ cloudCompute: new L.CloudCompute("gpu") });

  run() {
    this.workA.run("running code A on a CPU machine");
    this.workB.run("running code B on a GPU machine");
    this.stop("both works ran");
  }
}

export default new L.LightningApp(new LitWorkflow());
