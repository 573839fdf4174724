/** Re-running the `lit` command on another runtime (`--runtime bun|node|deno`). */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { RuntimeKind } from "@lit-app/runtime";

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

/** Runs `lit <args>` on `runtime` with this terminal, forwarding signals; resolves with its exit code. */
export function rerunOn(runtime: RuntimeKind, args: string[]): Promise<number> {
  const [cmd, argv] = litCommand(runtime, args);
  const child = spawn(cmd, argv, { stdio: "inherit", env: { ...process.env, LIT_RUNTIME_CHILD: "1" } });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? (signal === "SIGINT" ? 130 : 143));
    });
  });
}
