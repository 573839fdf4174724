/**
 * The thread program built for Bun (thread-program.ts) is cached: built once into the cache folder, found again
 * by a later process without esbuild, and not used once a file it was built from changed. That works' threads run
 * it (the app loaded as it is, sharing the build's core) is the conformance suite's "built program" executor on Bun.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const BUN = fileURLToPath(new URL("../../../../node_modules/.bin/bun", import.meta.url));
const CLI = fileURLToPath(new URL("../../test/fixtures/thread-program-cli.ts", import.meta.url));

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Runs the fixture with Bun: the program's URL it printed, or null. */
function ask(mode: "check" | "build"): { url: string | null } {
  const run = spawnSync(BUN, [CLI, mode, root], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { url: string | null };
}

describe("the thread program built for Bun", () => {
  it("is built once, found again by the next process, and no more once a file it was built from changed", () => {
    root = mkdtempSync(join(tmpdir(), "thread-programs-"));
    expect(ask("check").url).toBeNull();
    const built = ask("build").url!;
    const program = fileURLToPath(built);
    expect(existsSync(program)).toBe(true);
    expect(program.startsWith(root)).toBe(true);
    const madeAt = statSync(program).mtimeMs;

    // Another process finds it without building: the same file, untouched.
    expect(ask("check").url).toBe(built);
    expect(ask("build").url).toBe(built);
    expect(statSync(program).mtimeMs).toBe(madeAt);

    // A source file that changed since (its record says another mtime): not used, and built again when asked.
    const record = join(root, readdirSync(root).find((name) => name.endsWith(".json"))!);
    const saved = JSON.parse(readFileSync(record, "utf8")) as { inputs: [string, number, number][] };
    expect(saved.inputs.some(([path]) => path.endsWith("/core/src/work.ts"))).toBe(true);
    saved.inputs[0]![2] -= 1000;
    writeFileSync(record, JSON.stringify(saved));
    expect(ask("check").url).toBeNull();
    expect(ask("build").url).toBe(built);
    expect(ask("check").url).toBe(built);
  }, 60_000);
});
