// Parallel works: A is `parallel: true`, so the flow goes on and starts B while A is still
// counting; their lines interleave. The app stops once both have finished.
// Run: `npx bun run examples/parallel/app.ts` (or `npx lit run examples/parallel/app.ts`, `npx deno run -A examples/parallel/app.ts`).
import * as L from "lit-app";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Counter extends L.LightningWork {
  async run(message: string, count: number) {
    for (let i = 0; i < count; i++) {
      console.log(`${message} ${i}`);
      await sleep(50);
    }
  }
}

export class Root extends L.LightningFlow {
  workA = new Counter({ parallel: true });
  workB = new Counter();

  run() {
    this.workA.run("machine A counting", 10);
    // A does not block: B starts right away. B blocks, so the pass waits here until B is done.
    this.workB.run("machine B counting", 10);
    if (this.workA.hasSucceeded) this.stop("A and B have counted");
  }
}

export default new L.LightningApp(new Root());
