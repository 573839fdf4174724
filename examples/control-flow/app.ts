// Control flow in a flow is plain TypeScript: an `if` on a work's status and a `for` loop over calls.
// The primary download fails; with raiseException: false that marks the work failed instead of
// failing the app, and the flow turns to the mirror. Then one training call per learning rate runs,
// one after the other, and the flow reports the best.
// Run: `npx bun run examples/control-flow/app.ts` (or `npx lit run examples/control-flow/app.ts`, `npx deno run -A examples/control-flow/app.ts`).
import * as L from "lit-app";

export class Download extends L.LightningWork {
  rows = 0;

  async run(url: string) {
    console.log(`fetching ${url}`);
    if (url.includes("primary")) throw new Error(`${url} answered 503`);
    this.rows = 1000;
    console.log(`downloaded ${this.rows} rows`);
  }
}

export class Train extends L.LightningWork {
  results: { lr: number; loss: number }[] = [];

  async run(rows: number, lr: number) {
    const loss = Number(Math.abs(Math.log10(lr) + 2.2).toFixed(2));
    this.results.push({ lr, loss });
    console.log(`trained on ${rows} rows with lr ${lr}: loss ${loss}`);
  }
}

export class Root extends L.LightningFlow {
  primary = new Download({ raiseException: false });
  mirror = new Download();
  train = new Train();
  learningRates = [0.1, 0.01, 0.001];

  run() {
    this.primary.run("https://primary.example.com/data.csv");
    // A failed call has finished too: the pass goes on, and the flow branches on the status.
    const data = this.primary.hasFailed ? this.mirror : this.primary;
    if (data === this.mirror) this.mirror.run("https://mirror.example.com/data.csv");

    // Each call blocks until it has succeeded; calls that succeeded are not run again.
    for (const lr of this.learningRates) this.train.run(data.rows, lr);

    const best = this.train.results.reduce((a, b) => (b.loss < a.loss ? b : a));
    console.log(`best learning rate: ${best.lr} (loss ${best.loss})`);
    this.stop();
  }
}

export default new L.LightningApp(new Root());
