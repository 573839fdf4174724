/**
 * The system programs the harness drives, found once, and the one answer to
 * "can this machine make test hosts at all?".
 */
import { execFileSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import { TestHostsUnavailableError } from "./errors.ts";

/** Absolute paths of the programs the harness runs. */
export interface SystemTools {
  readonly ip: string;
  readonly sshd: string;
  readonly ssh: string;
  readonly scp: string;
  readonly sshKeygen: string;
  readonly useradd: string;
  readonly userdel: string;
  readonly setpriv: string;
  readonly flock: string;
  readonly mount: string;
  readonly umount: string;
}

const searchDirs = (): string[] => [
  ...(process.env.PATH ?? "").split(":").filter(Boolean),
  "/usr/local/sbin",
  "/usr/local/bin",
  "/usr/sbin",
  "/usr/bin",
  "/sbin",
  "/bin",
];

/** The absolute path of an executable named `name`, or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const dir of searchDirs()) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const toolNames: Record<keyof SystemTools, string> = {
  ip: "ip",
  sshd: "sshd",
  ssh: "ssh",
  scp: "scp",
  sshKeygen: "ssh-keygen",
  useradd: "useradd",
  userdel: "userdel",
  setpriv: "setpriv",
  flock: "flock",
  mount: "mount",
  umount: "umount",
};

let found: SystemTools | undefined;
let unavailable: string | undefined | null = null;

/** The tools, or the names of the missing ones. */
function lookUpTools(): SystemTools | string[] {
  const missing: string[] = [];
  const tools: Partial<Record<keyof SystemTools, string>> = {};
  for (const [key, name] of Object.entries(toolNames) as [keyof SystemTools, string][]) {
    const path = findExecutable(name);
    if (path) tools[key] = path;
    else missing.push(name);
  }
  return missing.length > 0 ? missing : (tools as SystemTools);
}

/**
 * Why this machine cannot make test hosts, or undefined when it can. Checks
 * Linux, root, the programs, and makes (and removes) one network namespace.
 * The answer is computed once per process.
 *
 * @example
 * const why = whyNoTestHosts();
 * if (why) console.log(`skipping: ${why}`);
 */
export function whyNoTestHosts(): string | undefined {
  if (unavailable !== null) return unavailable;
  unavailable = probe();
  return unavailable;
}

function probe(): string | undefined {
  if (process.platform !== "linux") return `network namespaces need Linux, this is ${process.platform}`;
  if (process.getuid?.() !== 0) return `the harness needs root (uid 0), this process runs as uid ${process.getuid?.()}`;
  const tools = lookUpTools();
  if (Array.isArray(tools)) return `missing program(s): ${tools.join(", ")}`;
  const name = `litth-probe-${process.pid}`;
  try {
    execFileSync(tools.ip, ["netns", "add", name], { stdio: "pipe" });
    execFileSync(tools.ip, ["netns", "del", name], { stdio: "pipe" });
  } catch (error) {
    const why = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
    return `cannot make a network namespace (${why})`;
  }
  found = tools;
  return undefined;
}

/** The tools; only after {@link whyNoTestHosts} said yes. */
export function systemTools(): SystemTools {
  const why = whyNoTestHosts();
  if (why !== undefined || !found) throw new TestHostsUnavailableError(why ?? "the system tools were not found");
  return found;
}
