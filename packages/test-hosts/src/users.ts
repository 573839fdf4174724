/**
 * The hosts' Unix users: made with useradd (own group, own home, /bin/sh),
 * unlocked for key-only SSH, and removed with their home by userdel. Parallel
 * harnesses contend for /etc/passwd's lock, so a lock failure is retried.
 */
import { chmodSync, chownSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./command.ts";
import { SetupCommandError } from "./errors.ts";
import { recordDir } from "./naming.ts";
import { systemTools } from "./system.ts";

/** A Unix user as /etc/passwd has it. */
export interface UnixUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** Every user of /etc/passwd. */
export function listUsers(): UnixUser[] {
  return readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(":"))
    .map((f) => ({ name: f[0] ?? "", uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? "" }));
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs passwd-editing commands of this process one at a time: shadow's lock waits a whole second when taken. */
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const next = queue.then(task, task);
  queue = next.catch(() => {});
  return next;
}

/** Runs a passwd-editing command, retrying while another process holds the lock. */
function passwdCommand(file: string, args: string[], where: string, okCodes: readonly number[] = [0]): Promise<void> {
  return serialized(() => passwdCommandNow(file, args, where, okCodes));
}

/** Taken (flock) around each passwd edit, so harnesses in other processes wait their turn without shadow's one-second retries. */
const lockFile = join(recordDir, "passwd.lock");

async function passwdCommandNow(file: string, args: string[], where: string, okCodes: readonly number[]): Promise<void> {
  mkdirSync(recordDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; ; attempt++) {
    const result = await run(systemTools().flock, ["--wait", "60", lockFile, file, ...args], where, { timeoutMs: 90_000 });
    if (result.code !== null && okCodes.includes(result.code)) return;
    const locked = /lock|try again/i.test(result.stderr);
    if (!locked || attempt >= 40) throw new SetupCommandError(where, [file, ...args], result.code, result.stderr);
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 200));
  }
}

/** Makes user `name` with home `home` (made 0700), a login shell of /bin/sh, and a password field that allows key logins only. */
export async function createUser(name: string, home: string, options: { homeExists?: boolean } = {}): Promise<UnixUser> {
  const { useradd } = systemTools();
  const where = `user ${name}`;
  // "!" (useradd's default password) locks the account, and sshd refuses locked accounts even for keys; "*" means "no password".
  const args = [options.homeExists ? "--no-create-home" : "--create-home", "--home-dir", home, "--shell", "/bin/sh", "--user-group", "--password", "*", "--comment", "lit-app test host", name];
  await passwdCommand(useradd, args, where);
  const user = listUsers().find((u) => u.name === name);
  if (!user) throw new SetupCommandError(where, [useradd, name], 0, "the user is not in /etc/passwd after useradd");
  if (options.homeExists) chownSync(user.home, user.uid, user.gid);
  chmodSync(user.home, 0o700); // useradd's mode follows the umask (0755 on Debian): other hosts' users could read it
  return user;
}

/** Removes user `name`, its group and its home; a user already gone is fine. */
export async function deleteUser(name: string): Promise<void> {
  if (!listUsers().some((u) => u.name === name)) return;
  // 12: the home or mail spool could not be removed (there is no mail spool); the caller removes the folder.
  await passwdCommand(systemTools().userdel, ["--force", "--remove", name], `user ${name}`, [0, 12]);
}
