import * as L from "@lit-app/core";
import { AppEngine, type WorkRef } from "@lit-app/core/internal";
import { InProcessExecutor } from "@lit-app/core/testing";
import { systemClock } from "../runner/system-clock.ts";
import { describe, expect, it } from "vitest";
import { parseHostRules } from "./host-rules.ts";
import { RoutingExecutor } from "./routing-executor.ts";

/** An in-process executor that remembers which works it started. */
class Recorded extends InProcessExecutor {
  readonly started: string[] = [];
  override start(work: WorkRef): Promise<void> {
    this.started.push(work.name);
    return super.start(work);
  }
}

class Square extends L.LightningWork {
  result = 0;
  run(x: number): void {
    this.result = x * x;
  }
}

class Root extends L.LightningFlow {
  train = new Square({ cloudCompute: new L.CloudCompute("gpu") });
  prep = new Square({ cloudCompute: new L.CloudCompute("cpu-small") });
  ui = new Square();
  run(): void {
    this.prep.run(2);
    this.train.run(this.prep.result);
    this.ui.run(3);
    if (this.ui.hasSucceeded) this.stop("done");
  }
}

describe("a routing executor", () => {
  it("runs each work where its compute's rule says, the rest here, and the app sees one whole", async () => {
    const here = new Recorded();
    const gpuBox = new Recorded();
    const cpuBox = new Recorded();
    const rules = parseHostRules(["gpu=gpu-box", "cpu-small=cpu-box"]);
    const executor = new RoutingExecutor(rules, here, new Map([["gpu-box", gpuBox], ["cpu-box", cpuBox]]));
    const engine = new AppEngine(new L.LightningApp(new Root()), { executor, clock: systemClock });
    const result = await engine.start();
    expect(result).toMatchObject({ stage: "stopped" });
    expect(gpuBox.started).toEqual(["root.train"]);
    expect(cpuBox.started).toEqual(["root.prep"]);
    expect(here.started).toEqual(["root.ui"]);
    const vars = (name: string) => engine.stateDocument().components[name]!.vars;
    expect(vars("root.train")).toEqual({ result: 16 });
  });
});
