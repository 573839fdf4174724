/**
 * How `lit` finds the apps running on this machine: each app server writes
 * `<lit home>/apps/<pid>-<port>.json` (whole, mode 0600: it may hold the
 * token) when it starts and removes it when it closes. The lit home is
 * `$LIT_HOME`, else `~/.lit`.
 */
import { processAlive, writeFileAtomic } from "@lit-app/runtime";
import { unlinkSync } from "node:fs";
import { mkdir, readFile, readdir, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** One running app, as its discovery file describes it. */
export interface RunningApp {
  pid: number;
  name: string;
  url: string;
  port: number;
  token?: string;
  /** Epoch ms. */
  startedAt: number;
  /** The working directory of the process running it. */
  cwd: string;
}

/** The folder holding the discovery files. */
export function appsDir(env: Record<string, string | undefined> = process.env): string {
  return join(env.LIT_HOME || join(homedir(), ".lit"), "apps");
}

/** Writes an app's discovery file atomically; returns its path. */
export async function registerApp(app: RunningApp, dir = appsDir()): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${app.pid}-${app.port}.json`);
  await writeFileAtomic(file, JSON.stringify(app, null, 2) + "\n", { mode: 0o600 });
  return file;
}

/** Removes a discovery file (synchronously: it also runs at process exit). */
export function unregisterApp(file: string): void {
  try {
    unlinkSync(file);
  } catch {}
}

/**
 * The apps running on this machine, newest first. Files left by processes
 * that died are removed on the way.
 * @example
 * const [app] = await findRunningApps();
 * if (app) await runCommand(app.url, "add-notebook", { username: "alice" }, app.token);
 */
export async function findRunningApps(dir = appsDir()): Promise<RunningApp[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: RunningApp[] = [];
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const file = join(dir, name);
    let app: RunningApp;
    try {
      app = JSON.parse(await readFile(file, "utf8")) as RunningApp;
    } catch {
      continue;
    }
    if (typeof app.pid !== "number" || typeof app.url !== "string") continue;
    if (!processAlive(app.pid)) {
      await unlink(file).catch(() => undefined);
      continue;
    }
    out.push(app);
  }
  return out.sort((a, b) => b.startedAt - a.startedAt);
}
