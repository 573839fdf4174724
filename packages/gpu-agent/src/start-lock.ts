/**
 * `agent/start.lock`: held while an agent starts (checks who runs, replaces it,
 * takes the control socket), so two starts in one home do not race. A lock
 * left by a process that died, or older than a minute, is taken over.
 */
import { open, readFile, stat, unlink } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { processAlive } from "@lit-app/runtime";
import { AgentLockError } from "./errors.ts";

const STALE_MS = 60_000;

/** Takes the start lock at `file`, waiting up to `timeoutMs` for another start to finish; resolves to its release. */
export async function takeStartLock(file: string, timeoutMs = 30_000): Promise<() => Promise<void>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(file, "wx", 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => unlink(file).catch(() => undefined);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const [pid, info] = await Promise.all([readFile(file, "utf8").catch(() => ""), stat(file).catch(() => null)]);
    const holder = Number(pid);
    const stale = info !== null && (Date.now() - info.mtimeMs > STALE_MS || (Number.isInteger(holder) && holder > 0 && !processAlive(holder)));
    if (stale) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new AgentLockError(`[agent] another agent is starting in this home (pid ${pid || "?"}, ${file}) and did not finish in ${timeoutMs} ms. Try again, or remove the file if no agent is starting.`);
    }
    await sleep(50);
  }
}
