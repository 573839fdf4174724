import { randomBytes } from "node:crypto";
import { lstat, readdir, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { processAlive } from "@lit-app/runtime";
import { isErrno } from "../errors.ts";

/**
 * Partial blobs of interrupted writes, kept in a `tmp` folder of the store.
 *
 * - `<hash>.partial` is parked: nobody writes it; the next writer may take it.
 * - `<hash>.<pid>.<nonce>.part` is owned by the writer in process `pid`.
 *
 * A writer takes a partial by renaming it to a name of its own: rename is
 * atomic, so of two writers only one gets it and the other starts afresh, and
 * no two writers ever share a file. A writer that fails parks its file again;
 * a writer whose process died leaves an owned file behind, which is adopted
 * once that process is gone.
 */

/** A partial file owned by the current writer, and how many bytes it holds. */
export interface OwnedPartial {
  readonly path: string;
  readonly length: number;
}

/** The name a writer in this process owns a partial under. */
export function ownedName(dir: string, hash: string): string {
  return join(dir, `${hash}.${process.pid}.${randomBytes(6).toString("hex")}.part`);
}

/** The name of the parked partial of `hash`. */
export function parkedName(dir: string, hash: string): string {
  return join(dir, `${hash}.partial`);
}

/** Partials of `hash` that a writer may take: the parked one, and those of dead processes. */
async function candidates(dir: string, hash: string): Promise<{ path: string; length: number }[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if (isErrno(err, "ENOENT")) return [];
    throw err;
  }
  const found: { path: string; length: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(`${hash}.`)) continue;
    const rest = name.slice(hash.length + 1);
    if (rest !== "partial") {
      const [pid, , ext] = rest.split(".");
      if (ext !== "part" || processAlive(Number(pid))) continue;
    }
    try {
      const st = await lstat(join(dir, name));
      found.push({ path: join(dir, name), length: st.size });
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err;
    }
  }
  return found.sort((a, b) => b.length - a.length);
}

/** How many bytes of `hash` a writer could resume from (the largest takeable partial). */
export async function partialLength(dir: string, hash: string): Promise<number> {
  return (await candidates(dir, hash))[0]?.length ?? 0;
}

/**
 * Takes the largest partial of `hash` under a name of this writer, or returns
 * a fresh (not yet created) name with length 0 if there is none to take.
 */
export async function claimPartial(dir: string, hash: string): Promise<OwnedPartial> {
  const mine = ownedName(dir, hash);
  for (const candidate of await candidates(dir, hash)) {
    try {
      await rename(candidate.path, mine);
      return { path: mine, length: (await lstat(mine)).size };
    } catch (err) {
      if (!isErrno(err, "ENOENT")) throw err; // another writer took it first
    }
  }
  return { path: mine, length: 0 };
}

/** Parks an owned partial so a later writer can resume from it. */
export async function parkPartial(dir: string, hash: string, owned: string): Promise<void> {
  try {
    await rename(owned, parkedName(dir, hash));
  } catch (err) {
    if (!isErrno(err, "ENOENT")) throw err;
  }
}

/** Removes every takeable partial of `hash`. */
export async function dropPartials(dir: string, hash: string): Promise<void> {
  for (const candidate of await candidates(dir, hash)) {
    await unlink(candidate.path).catch((err: unknown) => {
      if (!isErrno(err, "ENOENT")) throw err;
    });
  }
}
