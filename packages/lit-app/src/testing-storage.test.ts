/**
 * lit-app/testing with real files: TestApp runs works in this thread, and LocalStorage gives each
 * its own storage root in a temp folder, so Paths, Drives and Payloads behave as in a real run.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as L from "lit-app";
import { LocalStorage, TestApp, type TransferReport } from "lit-app/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-testing-storage-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

class Train extends L.LightningWork {
  model: L.Path | null = null;
  metrics: L.Payload<{ version: number; accuracy: number }> | null = null;
  async run(version: number) {
    this.model = new L.Path("model");
    await mkdir(String(this.model), { recursive: true });
    await writeFile(`${this.model}/weights.bin`, `weights v${version}`);
    await writeFile(`${this.model}/config.json`, "{}");
    this.metrics = new L.Payload({ version, accuracy: 0.5 + version / 10 });
  }
}

class Serve extends L.LightningWork {
  served: string[] = [];
  async run(model: L.Path, metrics: L.Payload<{ version: number; accuracy: number }>) {
    this.served.push(`${readFileSync(`${model}/weights.bin`, "utf8")} at ${metrics.value.accuracy}`);
  }
}

class Root extends L.LightningFlow {
  train = new Train();
  serve = new Serve();
  version = 1;
  run() {
    this.train.run(this.version);
    if (this.train.model && this.train.metrics) this.serve.run(this.train.model, this.train.metrics);
  }
}

describe("TestApp with LocalStorage", () => {
  it("hands a folder and a Payload from one work to another through their roots; only changes are copied again", async () => {
    const transfers: TransferReport[] = [];
    const t = new TestApp<Root>(new L.LightningApp(new Root()), { storage: new LocalStorage(dir, { onTransfer: (r) => transfers.push(r) }) });
    await t.start();
    expect(t.root.serve.served).toEqual(["weights v1 at 0.6"]);
    expect(readFileSync(join(dir, "root.serve", "model", "weights.bin"), "utf8")).toBe("weights v1");
    t.root.version = 2;
    await t.settle();
    expect(t.root.serve.served).toEqual(["weights v1 at 0.6", "weights v2 at 0.7"]);
    const paths = transfers.filter((r) => r.kind === "path");
    expect(paths).toEqual([
      { kind: "path", path: "model", from: "root.train", into: "root.serve", bytesSent: "weights v1".length + 2, filesWritten: 2 },
      // config.json did not change: only weights.bin was copied again.
      { kind: "path", path: "model", from: "root.train", into: "root.serve", bytesSent: "weights v2".length, filesWritten: 1 },
    ]);
    expect(transfers.filter((r) => r.kind === "payload")).toHaveLength(2);
  });
});
