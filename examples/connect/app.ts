// Connect components: a GPU work "trains" and records its metrics in its state; once it has
// finished, the flow stops it (the GPU is no longer needed) and hands the metrics, read from
// the trainer's state, to a CPU work that analyzes them.
// Run: `npx bun run examples/connect/app.ts` (or `npx lit run examples/connect/app.ts`, `npx deno run -A examples/connect/app.ts`).
import * as L from "lit-app";

/** Trains a (toy) model: each epoch's loss lands in `losses` as it is computed. */
export class TrainComponent extends L.LightningWork {
  losses: number[] = [];
  bestEpoch: number | null = null;

  async run(epochs: number) {
    L.onWorkStop(this, () => console.log("GPU released"));
    for (let epoch = 0; epoch < epochs; epoch++) {
      const loss = Number((1 / (epoch + 1) + 0.05 * (epoch % 2)).toFixed(3));
      this.losses.push(loss);
      console.log(`epoch ${epoch}: loss ${loss}`);
    }
    this.bestEpoch = this.losses.indexOf(Math.min(...this.losses));
    console.log(`training done: best epoch ${this.bestEpoch}`);
  }
}

/** Analyzes the metrics it is given. */
export class AnalyzeComponent extends L.LightningWork {
  summary: { epochs: number; best: number; improved: boolean } | null = null;

  async run(losses: number[]) {
    const best = Math.min(...losses);
    this.summary = { epochs: losses.length, best, improved: losses.at(-1)! < losses[0]! };
    console.log(`analyzed ${losses.length} epochs: best loss ${best}, improved: ${this.summary.improved}`);
  }
}

export class Root extends L.LightningFlow {
  train = new TrainComponent({ cloudCompute: new L.CloudCompute("gpu") });
  analyze = new AnalyzeComponent({ cloudCompute: new L.CloudCompute("cpu") });

  run() {
    this.train.run(5);
    // Training has finished once the flow gets here: free the GPU.
    if (!this.train.hasStopped) this.train.stop();
    this.analyze.run(this.train.losses);
    this.stop(`analysis: ${JSON.stringify(this.analyze.summary)}`);
  }
}

export default new L.LightningApp(new Root());
