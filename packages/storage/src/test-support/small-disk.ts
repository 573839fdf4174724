/**
 * A real, small disk for the tests of a full disk: a tmpfs mounted on a temp
 * folder before the file's tests (they run as root) and unmounted after. Where
 * this user may not mount, every test of the file is skipped, saying why. Each
 * test starts on an empty disk of `size`.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach } from "vitest";

/** The mounted disk of a test file. */
export interface SmallDisk {
  /** The folder the tmpfs is mounted on (read only inside a test, which runs only when it is mounted). */
  readonly path: string;
  /** Gives the disk another size for the rest of the test, keeping its files. */
  resize(size: string): void;
}

function mount(dir: string, size: string, remount = false): void {
  execFileSync("mount", ["-t", "tmpfs", "-o", `${remount ? "remount," : ""}size=${size}`, "tmpfs", dir], { stdio: "pipe" });
}

/** Mounts a tmpfs of `size` (as `mount -o size=` takes it: "4m") for the tests of the calling file. */
export function useSmallDisk(size: string, prefix = "lit-full-disk-"): SmallDisk {
  let mounted: string | undefined;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    try {
      mount(dir, size);
      mounted = dir;
    } catch (error) {
      const why = (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
      console.log(`skipping the full-disk tests: cannot mount a tmpfs here (${why})`);
      rmdirSync(dir);
    }
  });
  afterAll(() => {
    if (!mounted) return;
    execFileSync("umount", [mounted]);
    rmdirSync(mounted);
  });
  beforeEach((ctx) => {
    if (!mounted) return ctx.skip();
    for (const name of readdirSync(mounted)) rmSync(join(mounted, name), { recursive: true, force: true });
    mount(mounted, size, true);
  });
  return {
    get path() {
      if (!mounted) throw new Error("the small disk is not mounted");
      return mounted;
    },
    resize(to: string) {
      mount(this.path, to, true);
    },
  };
}
