// A schedule: `this.schedule()` is true on its first call and then once per firing of the cron
// expression; here a 6-field one (seconds first) that fires every second. B runs at each firing
// with the firing's number; the app stops after 3 firings.
// Run: `npx bun run examples/schedule/app.ts` (or `npx lit run examples/schedule/app.ts`, `npx deno run -A examples/schedule/app.ts`).
import * as L from "lit-app";

export class LitWorker extends L.LightningWork {
  async run(message: string) {
    console.log(message);
  }
}

export class Root extends L.LightningFlow {
  workA = new LitWorker({ cloudCompute: new L.CloudCompute("cpu") });
  workB = new LitWorker({ cloudCompute: new L.CloudCompute("gpu") });
  firings = 0;

  run() {
    this.workA.run("running code A on a CPU machine");
    if (this.schedule("* * * * * *")) {
      this.firings += 1;
    }
    // Each firing is a new argument, so B runs again (calls with the same arguments are cached).
    if (this.firings > 0) this.workB.run(`firing ${this.firings}: running code B on a GPU machine`);
    if (this.firings >= 3 && this.workB.hasSucceeded) this.stop("3 firings");
  }
}

export default new L.LightningApp(new Root());
