/**
 * A host whose home is a small disk of its own (a tmpfs of the given size),
 * for the tests of a full disk: writes there fail with ENOSPC while the rest
 * of the machine is fine. Unmounted at teardown, found by path.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { runOk } from "./command.ts";
import { systemTools } from "./system.ts";

/** Sizes as `mount -o size=` takes them: a number and k, m or g. */
export const diskSizePattern = /^[1-9]\d*[kmg]$/;

/** Mounts a tmpfs of `size` on `home` (made if missing). */
export async function mountHomeDisk(home: string, size: string, host: string): Promise<void> {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  await runOk(systemTools().mount, ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", home], `home disk of ${host}`);
}

/** The mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => unescape(line.split(" ")[1] ?? ""))
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything mounted at or under `dir` (lazily when still busy). */
export async function unmountUnder(dir: string): Promise<void> {
  const { umount } = systemTools();
  for (const point of mountsUnder(dir)) {
    await runOk(umount, [point], `unmount ${point}`).catch(() => runOk(umount, ["--lazy", point], `unmount ${point}`));
  }
}
