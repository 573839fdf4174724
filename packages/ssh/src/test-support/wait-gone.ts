/** Waiting on a host for a process to be gone (a zombie counts as gone). */
import type { SshHost } from "../ssh-host.ts";

/** Resolves true once `pid` no longer runs on the host, false after `timeoutMs`. */
export async function waitGone(host: SshHost, pid: number, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const check = `kill -0 ${pid} 2>/dev/null || exit 1; case "$(ps -o stat= -p ${pid})" in Z*) exit 1 ;; esac`;
  while (Date.now() < deadline) {
    if ((await host.exec(check)).code !== 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
