/**
 * The name of the user running this process, for the default remote user
 * and the `%u` token. `os.userInfo()` answers "unknown" on Bun when USER is
 * not set, so the password database is asked then.
 */
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";

/** This process's user name (from the OS, else /etc/passwd by uid, else USER/LOGNAME). */
export function localUserName(env: Record<string, string | undefined> = process.env): string {
  const info = userInfo();
  if (info.username !== "" && info.username !== "unknown") return info.username;
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.split(":")[2] === String(info.uid));
    const name = line?.split(":")[0];
    if (name) return name;
  } catch {
    // no password database: fall back to the environment
  }
  return env.USER ?? env.LOGNAME ?? info.username;
}
