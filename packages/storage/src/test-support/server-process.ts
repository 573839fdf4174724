/** A storage server in a child process under node, bun or deno (no vitest here). */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { packageDir, runtimeCommand } from "./tree.ts";

/** A running storage server process. */
export interface ServerProcess {
  readonly url: string;
  readonly token: string;
  readonly runtime: string;
  readonly pid: number;
  /** Stops it and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `test/fixtures/storage-server.ts` serving `dir`, and waits until it listens. */
export async function startServerProcess(runtime: "node" | "bun" | "deno", dir: string): Promise<ServerProcess> {
  const [cmd, args] = runtimeCommand(runtime, join(packageDir, "test", "fixtures", "storage-server.ts"));
  const child = spawn(cmd, [...args, dir], { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const first = await new Promise<{ url: string; token: string; runtime: string }>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { url: string; token: string; runtime: string });
    });
    void exited.then(() => reject(new Error(`storage server (${runtime}) exited before listening: ${stderr}`)));
  });
  return {
    ...first,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
