/**
 * Every example in examples/ runs as a user runs it, on Bun (`bun run`), Node (`lit run`) and
 * Deno (`deno run -A`), ends by itself with exit code 0 and prints what its works do, in the
 * order the flow's semantics promise, and what the guide that shows it says it prints
 * (apps/docs/examples/<page>/output.txt). The commands the single-machine guides show
 * (apps/docs/examples/<page>/*.sh) run as the pages tell the reader to.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { example, REPO, runApp, RUNTIMES, type AppProcess, type Exit } from "./test-support/app-process.ts";
import { expectGuideOutput, guideFile, runGuideCommand, startGuideCommand } from "./test-support/guide-commands.ts";

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
    expectGuideOutput(app.output(), "run/output.txt");
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
    expectGuideOutput(app.output(), "connect/output.txt", { exact: false });
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
    expectGuideOutput(app.output(), "parallel/output.txt", { exact: false });
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
    expectGuideOutput(app.output(), "control-flow/timer-output.txt");
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
    expectGuideOutput(app.output(), "schedule/output.txt");
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
    expectGuideOutput(app.output(), "dynamic/output.txt", { exact: false, ordered: false });
  });

  it("control-flow: the flow branches to the mirror when the primary download fails, then trains once per learning rate", async () => {
    const { app, exit } = await runApp(runtime, example("control-flow"));
    expectCleanExit(app, exit);
    expectGuideOutput(app.output(), "control-flow/output.txt");
    expect(app.linesOf("root.train")).toHaveLength(3);
  });

  it("storage: a Drive, a Payload and a Path carry a dataset, its statistics and a model between three works", async () => {
    const { app, exit } = await runApp(runtime, example("storage"));
    expectCleanExit(app, exit);
    expectGuideOutput(app.output(), "storage/output.txt");
  });

  it("isolation: a work in its own process fails with reason out of memory at its memoryMiB while a thread's work counts on", async () => {
    const { app, exit } = await runApp(runtime, example("isolation"));
    expectCleanExit(app, exit);
    expectGuideOutput(app.output(), "isolation/output.txt", { exact: false, ordered: false });
    expect(app.linesOf("root.steady").map((l) => l.text)).toEqual(Array.from({ length: 10 }, (_, i) => `step ${i + 1} of 10`));
  });
});

describe("the single-machine guides' commands", () => {
  const workflow = join(REPO, "examples", "workflow");

  it.each(["run/bun.sh", "run/node.sh", "run/deno.sh", "run/lit-runtime.sh"])(
    "%s, in the toy app's folder, prints the workflow's lines and where its UI is",
    async (file) => {
      const { app, exit } = await runGuideCommand(file, { cwd: workflow });
      expectCleanExit(app, exit);
      expectGuideOutput(app.output(), "run/output.txt");
      expectGuideOutput(app.output("stderr"), "run/ui-line.txt");
    },
  );

  it.each(["isolation/process.sh", "isolation/env.sh", "isolation/heap.sh"])("%s prints what the workflow prints with threads", async (file) => {
    const { app, exit } = await runGuideCommand(file);
    expectCleanExit(app, exit);
    expectGuideOutput(app.output(), "run/output.txt");
  });

  it.each(["connect", "parallel", "control-flow", "schedule", "dynamic", "storage", "isolation"])(
    "%s/run.sh runs the example that the page shows",
    (page) => {
      expect(guideFile(`${page}/run.sh`).trim()).toBe(`npx bun run examples/${page}/app.ts`);
    },
  );

  it("testing/run.sh, in examples/testing, passes the page's tests", async () => {
    const { app, exit } = await runGuideCommand("testing/run.sh", { cwd: join(REPO, "examples", "testing"), timeoutMs: 120_000 });
    expect(exit, app.transcript()).toMatchObject({ code: 0 });
    expect(app.output()).toMatch(/Tests\s+3 passed \(3\)/);
  });

  it("api: the notebooks app answers the page's commands and routes", async () => {
    // The commands find the running apps through LIT_HOME: this test's own, so no other app answers.
    const env = { LIT_HOME: mkdtempSync(join(tmpdir(), "lit-guide-api-")) };
    const app = startGuideCommand("api/run.sh", { env });
    try {
      const ui = await app.waitFor(/the app's UI: http:\/\/127\.0\.0\.1:\d+/, 60_000);
      // Another app of the machine may hold 7501: the app then serves on the next free port.
      const base = /http:\/\/127\.0\.0\.1:\d+/.exec(ui.text)![0];
      const add = await runGuideCommand("api/add.sh", { env });
      expect(add.exit, add.app.transcript()).toMatchObject({ code: 0 });
      expectGuideOutput(add.app.output(), "api/add-output.txt");
      const list = await runGuideCommand("api/list.sh", { env });
      expect(JSON.parse(list.app.output())).toEqual([{ username: "alice", useGpu: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) }]);
      for (const file of ["api/route.sh", "api/state.sh"]) {
        const url = guideFile(file).trim().replace(/^curl /, "").replace("http://127.0.0.1:7501", base);
        const response = await fetch(url);
        expect(response.status, url).toBe(200);
        const body = (await response.json()) as unknown;
        if (file === "api/route.sh") expect(body).toEqual([{ username: "alice", useGpu: true, url: expect.any(String) }]);
        else expect(body).toMatchObject({ components: { "root.notebooks.alice": { kind: "work" } } });
      }
    } finally {
      app.kill();
      await app.exited;
      rmSync(env.LIT_HOME, { recursive: true, force: true });
    }
  }, 120_000);
});
