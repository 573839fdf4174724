// Storage: a Drive, a Payload and a Path carry data between three works.
// `prepare` puts a dataset in the Drive "lit://datasets" and hands its statistics on as a Payload;
// `train` gets the dataset from the Drive, reads the statistics and writes a model file, kept as a
// Path; `evaluate` receives the Path and finds the file in its own storage before its run() starts.
// Run: `npx bun run examples/storage/app.ts` (or `npx lit run examples/storage/app.ts`, `npx deno run -A examples/storage/app.ts`).
// #region imports
import { readFile, writeFile } from "node:fs/promises";
import * as L from "lit-app";

/** What `prepare` tells `train` about the dataset (a type, not an interface: a Payload holds JSON). */
export type Stats = { rows: number; mean: number };
// #endregion imports

// #region prepare
export class Prepare extends L.LightningWork {
  drive = new L.Drive("lit://datasets");
  stats: L.Payload<Stats> | null = null;

  async run(rows: number) {
    const values = Array.from({ length: rows }, (_, i) => i % 10);
    // A file in this work's storage, then a copy of it in the Drive.
    await writeFile(String(new L.Path("train.csv")), values.join("\n"));
    await this.drive.put("train.csv");
    // A Payload goes through storage, not through the app's state.
    this.stats = new L.Payload({ rows, mean: values.reduce((a, b) => a + b, 0) / rows });
    console.log(`put train.csv in ${this.drive}`);
  }
}
// #endregion prepare

// #region train
export class Train extends L.LightningWork {
  drive = new L.Drive("lit://datasets");
  model: L.Path | null = null;

  async run(stats: L.Payload<Stats>) {
    console.log(`the drive holds: ${(await this.drive.list()).join(", ")}`);
    const local = await this.drive.get("train.csv"); // copied into this work's storage
    const rows = (await readFile(local, "utf8")).split("\n").length;
    console.log(`training on ${rows} rows, mean ${stats.value.mean}`);
    const model = new L.Path("model.json");
    await writeFile(String(model), JSON.stringify({ bias: stats.value.mean }));
    this.model = model;
  }
}
// #endregion train

// #region evaluate
export class Evaluate extends L.LightningWork {
  async run(model: L.Path) {
    // The file was copied here from the work that wrote it before run() started.
    const { bias } = JSON.parse(await readFile(String(model), "utf8")) as { bias: number };
    console.log(`evaluating ${model.path} from ${model.origin}: bias ${bias}`);
  }
}
// #endregion evaluate

// #region flow
export class Root extends L.LightningFlow {
  prepare = new Prepare();
  train = new Train();
  evaluate = new Evaluate();

  run() {
    this.prepare.run(1000);
    if (!this.prepare.stats) return;
    this.train.run(this.prepare.stats);
    if (!this.train.model) return;
    this.evaluate.run(this.train.model);
    this.stop("evaluated");
  }
}
// #endregion flow

export default new L.LightningApp(new Root(), { name: "storage" });
