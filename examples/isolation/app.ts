// A work in its own OS process with a memory limit: `hungry` allocates without bound and goes over
// its 200 MiB; it fails with reason "out of memory" while `steady`, in a thread of the app, counts on.
// The flow reports the failure (raiseException: false) and ends the app once steady is done.
// Run: `npx bun run examples/isolation/app.ts` (or `npx lit run examples/isolation/app.ts`, `npx deno run -A examples/isolation/app.ts`).
import * as L from "lit-app";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Hungry extends L.LightningWork {
  async run() {
    const kept: number[][] = [];
    for (;;) {
      kept.push(new Array(1_000_000).fill(kept.length));
      if (kept.length % 20 === 0) await sleep(1);
    }
  }
}

export class Steady extends L.LightningWork {
  async run(count: number) {
    for (let i = 1; i <= count; i++) {
      await sleep(200);
      console.log(`step ${i} of ${count}`);
    }
  }
}

export class Root extends L.LightningFlow {
  hungry = new Hungry({
    isolation: "process", // its own OS process, on the app's runtime
    cloudCompute: new L.CloudCompute("cpu", { memoryMiB: 200 }),
    raiseException: false, // a failure marks the work failed; the app goes on
    parallel: true,
  });
  steady = new Steady({ parallel: true }); // a worker thread, as every work by default
  reported = false;

  run() {
    this.hungry.run();
    this.steady.run(10);
    if (this.hungry.hasFailed && !this.reported) {
      this.reported = true;
      console.log(`hungry failed: ${this.hungry.status.reason}`); // the status message says how much it used
    }
    if (this.hungry.hasFailed && this.steady.hasSucceeded) this.stop("steady finished; hungry was stopped at its limit");
  }
}

export default new L.LightningApp(new Root());
