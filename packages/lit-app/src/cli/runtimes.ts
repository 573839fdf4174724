/** Re-running the `lit` command on another runtime (`--runtime bun|node|deno`). */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { RuntimeKind } from "@lit-app/runtime";
import { RUNTIME_CHILD_ENV } from "../runner/parent-watch.ts";
import { descendantsOf } from "../runner/process-tree.ts";
import { STOP_DEADLINE_MS } from "../runner/supervise.ts";

const require = createRequire(import.meta.url);
const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

function binary(runtime: RuntimeKind): string {
  if (runtime === "node") return process.execPath.endsWith("node") ? process.execPath : "node";
  if (runtime === "bun") return join(dirname(require.resolve("bun/package.json")), "bin", "bun.exe");
  return join(dirname(require.resolve("deno/package.json")), "deno");
}

/** The command that runs `lit <args>` on `runtime`. */
export function litCommand(runtime: RuntimeKind, args: string[]): [string, string[]] {
  switch (runtime) {
    case "bun":
      return [binary("bun"), [MAIN, ...args]];
    case "deno":
      return [binary("deno"), ["run", "-A", MAIN, ...args]];
    default:
      return [binary("node"), ["--import", "tsx", MAIN, ...args]];
  }
}

/** Ends `pid` and every process below it, at once. */
function killTree(pid: number): void {
  for (const each of [pid, ...descendantsOf(pid)]) {
    try {
      process.kill(each, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

/**
 * Runs `lit <args>` on `runtime` with this terminal, forwarding signals;
 * resolves with its exit code. The child ends when this process does, however
 * it ends: it watches the IPC channel opened here (see parent-watch.ts).
 */
export function rerunOn(runtime: RuntimeKind, args: string[]): Promise<number> {
  const [cmd, argv] = litCommand(runtime, args);
  const child = spawn(cmd, argv, { stdio: ["inherit", "inherit", "inherit", "ipc"], env: { ...process.env, [RUNTIME_CHILD_ENV]: "1" } });
  let backstop: ReturnType<typeof setTimeout> | undefined;
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
    // The child ends itself within its deadline; should it not, it is ended with what it started.
    backstop ??= setTimeout(() => child.pid !== undefined && killTree(child.pid), STOP_DEADLINE_MS + 300);
  };
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      clearTimeout(backstop);
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? (signal === "SIGINT" ? 130 : signal === "SIGTERM" ? 143 : 1));
    });
  });
}
