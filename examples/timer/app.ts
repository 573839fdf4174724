// A timer in a flow: B starts 5 seconds after A has finished. The flow uses the app's clock
// (`this.now()`) and asks to be re-run at the right time (`this.wakeAt()`), so nothing polls.
// Run: `npx bun run examples/timer/app.ts` (or `npx lit run examples/timer/app.ts`, `npx deno run -A examples/timer/app.ts`).
import * as L from "lit-app";

export class LitWorker extends L.LightningWork {
  async run(message: string) {
    console.log(`${message} at ${new Date().toISOString()}`);
  }
}

export class Root extends L.LightningFlow {
  workA = new LitWorker({ cloudCompute: new L.CloudCompute("cpu") });
  workB = new LitWorker({ cloudCompute: new L.CloudCompute("gpu") });
  /** When A finished (epoch ms), in state so the UI shows it. */
  aFinishedAt: number | null = null;

  run() {
    this.workA.run("running code A on a CPU machine");
    this.aFinishedAt ??= this.now();
    const startB = this.aFinishedAt + 5_000;
    if (this.now() < startB) {
      this.wakeAt(startB);
      return;
    }
    this.workB.run("running code B on a GPU machine");
    this.stop("B ran 5 seconds after A");
  }
}

export default new L.LightningApp(new Root());
