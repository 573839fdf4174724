/**
 * Every example in examples/ runs as a user runs it, on Bun (`bun run`), Node (`lit run`) and
 * Deno (`deno run -A`), ends by itself with exit code 0 and prints what its works do, in the
 * order the flow's semantics promise.
 */
import { describe, expect, it } from "vitest";
import { example, runApp, RUNTIMES, type AppProcess, type Exit } from "./test-support/app-process.ts";

function expectCleanExit(app: AppProcess, exit: Exit): void {
  expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
  // Nothing on stderr but where the app's UI is served.
  const stderr = app.lines.filter((l) => l.stream === "stderr" && !l.text.startsWith("[lit-app] the app's UI: http://127.0.0.1:"));
  expect(stderr).toEqual([]);
}

describe.each(RUNTIMES)("examples on %s", (runtime) => {
  it("workflow: B's line comes after A's (blocking calls)", async () => {
    const { app, exit } = await runApp(runtime, example("workflow"));
    expectCleanExit(app, exit);
    expect(app.output().split("\n")).toEqual([
      "root.workA | running code A on a CPU machine",
      "root.workB | running code B on a GPU machine",
    ]);
  });

  it("connect: the analyzer gets the trainer's metrics through state, after training, and the GPU work is stopped", async () => {
    const { app, exit } = await runApp(runtime, example("connect"));
    expectCleanExit(app, exit);
    const train = app.linesOf("root.train").map((l) => l.text);
    const losses = train.filter((t) => t.startsWith("epoch ")).map((t) => Number(t.split("loss ")[1]));
    expect(train.filter((t) => t.startsWith("epoch ")).map((t) => t.split(":")[0])).toEqual(
      ["epoch 0", "epoch 1", "epoch 2", "epoch 3", "epoch 4"],
    );
    const best = Math.min(...losses);
    const analysis = `root.analyze | analyzed 5 epochs: best loss ${best}, improved: ${losses[4]! < losses[0]!}`;
    expect(app.indexOf(analysis)).toBeGreaterThan(app.indexOf("root.train | training done"));
    expect(app.indexOf("root.train | GPU released")).toBeGreaterThan(app.indexOf("root.train | training done"));
    expect(app.linesOf("root.analyze")).toHaveLength(1);
  });

  it("parallel: B's lines interleave with A's", async () => {
    const { app, exit } = await runApp(runtime, example("parallel"));
    expectCleanExit(app, exit);
    const expected = (who: string) => Array.from({ length: 10 }, (_, i) => `machine ${who} counting ${i}`);
    expect(app.linesOf("root.workA").map((l) => l.text)).toEqual(expected("A"));
    expect(app.linesOf("root.workB").map((l) => l.text)).toEqual(expected("B"));
    // B started long before A finished, and A went on while B counted.
    expect(app.indexOf("machine B counting 0")).toBeLessThan(app.indexOf("machine A counting 5"));
    expect(app.indexOf("machine A counting 9")).toBeGreaterThan(app.indexOf("machine B counting 4"));
    const order = app.lines.map((l) => l.text.slice(0, 10));
    const switches = order.filter((who, i) => i > 0 && who !== order[i - 1]).length;
    expect(switches).toBeGreaterThanOrEqual(5);
  });

  it("timer: B runs 5 seconds after A has finished", async () => {
    const { app, exit } = await runApp(runtime, example("timer"));
    expectCleanExit(app, exit);
    const [a] = app.linesOf("root.workA");
    const [b] = app.linesOf("root.workB");
    expect(a?.text).toMatch(/^running code A on a CPU machine at /);
    expect(b?.text).toMatch(/^running code B on a GPU machine at /);
    const printedAt = (text: string) => Date.parse(text.split(" at ")[1]!);
    expect(printedAt(b!.text) - printedAt(a!.text)).toBeGreaterThanOrEqual(5_000);
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(4_900);
    expect(b!.at - a!.at).toBeLessThan(15_000);
  });

  it("schedule: B runs on the first call and at each firing of an every-second cron; the app stops after 3", async () => {
    const { app, exit } = await runApp(runtime, example("schedule"));
    expectCleanExit(app, exit);
    expect(app.output().split("\n")).toEqual([
      "root.workA | running code A on a CPU machine",
      "root.workB | firing 1: running code B on a GPU machine",
      "root.workB | firing 2: running code B on a GPU machine",
      "root.workB | firing 3: running code B on a GPU machine",
    ]);
    // Firings 2 and 3 fall on two successive whole seconds, both after firing 1.
    const b = app.linesOf("root.workB");
    expect(b[2]!.at - b[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("dynamic: one work per request in a Dict; bob's is stopped on request while the others run on", async () => {
    const { app, exit } = await runApp(runtime, example("dynamic"));
    expectCleanExit(app, exit);
    const users = ["alice", "bob", "carol"];
    for (const user of users) {
      expect(app.linesOf(`root.manager.notebooks.${user}`)[0]?.text).toBe(`notebook for ${user} is ready`);
    }
    const lastReady = Math.max(...users.map((u) => app.indexOf(`notebook for ${u} is ready`)));
    const shutdown = app.indexOf("root.manager.notebooks.bob | notebook for bob shutting down");
    expect(shutdown).toBeGreaterThan(lastReady);
    expect(app.indexOf("bob's notebook stopped; still running: alice, carol")).toBeGreaterThan(shutdown);
  });
});
