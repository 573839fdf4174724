/**
 * A runtime child of `lit run --runtime X` ends when lit has ended, also when lit ended before the child
 * began to watch (lit killed while the app loaded), on Bun, Node and Deno.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, REPO, RUNTIMES, type Runtime } from "../test-support/app-process.ts";
import { RUNTIME_CHILD_ENV } from "./parent-watch.ts";

const FIXTURE = fixture("late-parent-watch.ts");
const BIN = join(REPO, "node_modules/.bin");
const COMMANDS: Record<Runtime, [string, string[]]> = {
  node: [process.execPath, ["--import", "tsx", FIXTURE]],
  bun: [join(BIN, "bun"), [FIXTURE]],
  deno: [join(BIN, "deno"), ["run", "-A", FIXTURE]],
};

describe.each(RUNTIMES)("watchParent on %s", (runtime) => {
  for (const late of [false, true]) {
    it(`tells the child that lit ended ${late ? "before the watch began" : "while it watches"}`, async () => {
      const [cmd, args] = COMMANDS[runtime];
      const child = spawn(cmd, args, {
        stdio: ["ignore", "pipe", "inherit", "ipc"],
        env: { ...process.env, [RUNTIME_CHILD_ENV]: "1", LATE_MS: late ? "1500" : "0" },
      });
      try {
        let out = "";
        child.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        if (!late) await new Promise<void>((resolve) => child.stdout!.on("data", () => out.includes("watching") && resolve()));
        // What lit's end does to the channel (kill -9 included): it closes.
        child.disconnect();
        const code = await Promise.race([exited, new Promise<"running">((resolve) => setTimeout(() => resolve("running"), 10_000))]);
        expect(code, out).toBe(0);
        expect(out).toContain("gone");
      } finally {
        if (child.exitCode === null) child.kill("SIGKILL");
      }
    }, 30_000);
  }
});
