/**
 * The hosts `lit run --host` used from this machine, kept in
 * `~/.lit/hosts.json` so that `lit hosts` without a name lists them.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { writeFileAtomicSync } from "@lit-app/runtime";

const MAX_HOSTS = 1000;

function file(env: Record<string, string | undefined> = process.env): string {
  return join(env.HOME || homedir(), ".lit", "hosts.json");
}

/** The aliases recorded, oldest first; none when the file is missing or not a list of names. */
export function usedHosts(env?: Record<string, string | undefined>): string[] {
  try {
    const text = readFileSync(file(env), "utf8");
    if (text.length > 1 << 20) return [];
    const value: unknown = JSON.parse(text);
    const hosts = (value as { hosts?: unknown }).hosts;
    return Array.isArray(hosts) ? hosts.filter((h): h is string => typeof h === "string" && h.length > 0 && h.length < 256).slice(0, MAX_HOSTS) : [];
  } catch {
    return [];
  }
}

/** Adds `alias` to the list (written atomically); a failure to write is not the run's. */
export function recordHost(alias: string, env?: Record<string, string | undefined>): void {
  const hosts = usedHosts(env);
  if (hosts.includes(alias)) return;
  try {
    mkdirSync(dirname(file(env)), { recursive: true, mode: 0o700 });
    writeFileAtomicSync(file(env), `${JSON.stringify({ hosts: [...hosts, alias].slice(-MAX_HOSTS) }, null, 2)}\n`, { mode: 0o600 });
  } catch {
    // ~/.lit not writable: lit hosts then needs the host's name.
  }
}
