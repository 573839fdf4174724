import { describe, expect, it } from "vitest";
import { exitError } from "./exit-trap.ts";
import { frameworkDirs, frameLocation, userError, userFrames } from "./user-frames.ts";

const REPO = frameworkDirs("/work/lit/packages/local-workers/src/worker/user-frames.ts");
const APP = frameworkDirs("/home/me/app/node_modules/@lit-app/local-workers/src/worker/user-frames.ts");

describe("the user's frames of a stack", () => {
  it("finds the framework's folders in lit-app's repository and in an app's node_modules", () => {
    expect(REPO).toContain("/work/lit/packages/core/src/");
    expect(REPO).toContain("/work/lit/packages/lit-app/src/");
    expect(APP).toContain("/home/me/app/node_modules/@lit-app/core/src/");
    expect(APP).toContain("/home/me/app/node_modules/lit-app/src/");
    expect(frameworkDirs("/somewhere/else.ts")).toEqual([]);
  });

  it("keeps the app's frames and a library's, drops the framework's and the runtime's (V8 and Bun formats)", () => {
    const stack = [
      "Error",
      "    at exitTrap (/home/me/app/node_modules/@lit-app/local-workers/src/worker/exit-trap.ts:21:30)",
      "    at Trainer.run (file:///home/me/app/train.ts:12:5)",
      "    at step (/home/me/app/node_modules/some-lib/index.js:3:1)",
      "    at /home/me/app/helpers.ts:7:9",
      "    at run (/home/me/app/node_modules/@lit-app/core/src/work-loader.ts:125:32)",
      "    at async pump (/home/me/app/node_modules/@lit-app/local-workers/src/worker/boot.ts:67:20)",
      "    at async Promise.all (index 0)",
      "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
      "    at innerInvokeEventListeners (ext:deno_web/02_event.js:1:8095)",
      "    at chunk (/home/me/app/.lit/worker-app-123/chunk-ABC.mjs:4:2)",
    ].join("\n");
    expect(userFrames(stack, APP)).toEqual([
      "    at Trainer.run (/home/me/app/train.ts:12:5)",
      "    at step (/home/me/app/node_modules/some-lib/index.js:3:1)",
      "    at /home/me/app/helpers.ts:7:9",
    ]);
  });

  it("keeps the frames of an app whose own folders are named like the framework's", () => {
    const stack = "Error\n    at run (/home/me/mono/packages/core/src/app.ts:3:4)";
    expect(userFrames(stack, APP)).toEqual(["    at run (/home/me/mono/packages/core/src/app.ts:3:4)"]);
  });

  it("says a frame's location", () => {
    expect(frameLocation("    at Trainer.run (/home/me/app/train.ts:12:5)")).toBe("/home/me/app/train.ts:12:5");
    expect(frameLocation("    at async /home/me/app/helpers.ts:7:9")).toBe("/home/me/app/helpers.ts:7:9");
  });

  it("an error keeps only the user's frames; one raised on purpose with none keeps no stack; an unexpected one keeps all", () => {
    const user = Object.assign(new Error("boom"), {
      stack: "Error: boom\n    at run (/home/me/app/train.ts:1:1)\n    at run (/home/me/app/node_modules/@lit-app/core/src/work-loader.ts:1:1)",
    });
    expect(userError(user, APP)).toEqual({ name: "Error", message: "boom", stack: "Error: boom\n    at run (/home/me/app/train.ts:1:1)" });
    const framework = "Error: x\n    at copy (/home/me/app/node_modules/@lit-app/local-workers/src/storage/local-storage.ts:1:1)";
    const onPurpose = Object.assign(new Error("disk full"), { code: "E_NO_SPACE", stack: framework });
    expect(userError(onPurpose, APP)).toEqual({ name: "Error", message: "disk full", code: "E_NO_SPACE" });
    const bug = Object.assign(new TypeError("x is undefined"), { stack: framework });
    expect(userError(bug, APP).stack).toBe(framework);
  });

  it("process.exit() says where the user's code called it", () => {
    const stack = [
      "Error",
      "    at exitTrap (/work/lit/packages/local-workers/src/worker/exit-trap.ts:21:30)",
      "    at Crasher.run (/work/lit/examples/crash/app.ts:19:34)",
      "    at run (/work/lit/packages/core/src/work-loader.ts:125:32)",
    ].join("\n");
    const error = exitError("process.exit", 3, stack, REPO);
    expect(error.message).toBe(
      "the work's thread ended with exit code 3: process.exit(3) was called at /work/lit/examples/crash/app.ts:19:34. " +
        "To end a call, return from run() or throw an Error; process.exit() in a work ends its whole thread.",
    );
    expect(error.stack).toBe(`WorkExitError: ${error.message}\n    at Crasher.run (/work/lit/examples/crash/app.ts:19:34)`);
  });
});
