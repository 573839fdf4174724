/**
 * Who put a name in a Drive: one claim file per file name, made atomically
 * (a hard link of a written temp file fails if the claim exists), so that
 * two works putting the same name at once cannot both win.
 */
import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";

const CLAIMS = ".claims";

function claimFile(driveDir: string, path: string): string {
  return join(driveDir, CLAIMS, createHash("sha256").update(path).digest("hex"));
}

async function tempWith(driveDir: string, work: string): Promise<string> {
  await mkdir(join(driveDir, CLAIMS), { recursive: true });
  const temp = join(driveDir, CLAIMS, `${randomBytes(8).toString("hex")}.tmp`);
  await writeFile(temp, work);
  return temp;
}

/** The work that claimed `path`, if one did. */
export async function claimOwner(driveDir: string, path: string): Promise<string | undefined> {
  return readFile(claimFile(driveDir, path), "utf8").catch(() => undefined);
}

/**
 * Claims `path` for `work`. Resolves with the work that holds it now: `work`
 * itself when the claim was made (or was already its own), another work otherwise.
 * @param stale decides whether another work's claim may be taken over (its file is gone).
 */
export async function claim(driveDir: string, path: string, work: string, stale: (owner: string) => Promise<boolean>): Promise<string> {
  const file = claimFile(driveDir, path);
  const temp = await tempWith(driveDir, work);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await link(temp, file);
        return work;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const owner = await claimOwner(driveDir, path);
      if (owner === undefined) continue; // released meanwhile: try again
      if (owner === work) return work;
      if (!(await stale(owner))) return owner;
      await rename(temp, file);
      return work;
    }
    return (await claimOwner(driveDir, path)) ?? work;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/** Releases `work`'s claim on `path` (another work's claim is left). */
export async function release(driveDir: string, path: string, work: string): Promise<void> {
  if ((await claimOwner(driveDir, path)) === work) await unlink(claimFile(driveDir, path)).catch(() => undefined);
}
