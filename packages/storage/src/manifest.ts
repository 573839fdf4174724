import { ManifestError } from "./errors.ts";
import { checkRelativePath } from "./safe-path.ts";

/** A regular file: its bytes are the blob `hash`. */
export interface FileEntry {
  readonly type: "file";
  /** Relative to the manifest's base, with `/` between parts; `""` is the base itself. */
  readonly path: string;
  readonly size: number;
  /** Permission bits (`0o755`...). */
  readonly mode: number;
  /** Modification time, milliseconds since the epoch. */
  readonly mtimeMs: number;
  /** sha256 of the bytes, 64 lowercase hex characters. */
  readonly hash: string;
}

/** A folder. */
export interface DirEntry {
  readonly type: "dir";
  readonly path: string;
  readonly mode: number;
  readonly mtimeMs: number;
}

/** A symbolic link; its target is relative and stays inside the root. */
export interface SymlinkEntry {
  readonly type: "symlink";
  readonly path: string;
  readonly target: string;
}

/** One thing in a manifest. */
export type ManifestEntry = FileEntry | DirEntry | SymlinkEntry;

/**
 * What a file or a folder tree holds, by content: built by the sending root,
 * applied by the receiving one. Entries are sorted by path, so a folder comes
 * before what it contains; the first entry (path `""`) is the base itself.
 */
export interface Manifest {
  readonly version: 1;
  readonly entries: readonly ManifestEntry[];
}

/** The zod schema, built on first use so that importing this package does not load zod. */
let schema: Promise<{ z: typeof import("zod").z; manifest: import("zod").ZodType<Manifest> }> | undefined;

function manifestSchema() {
  schema ??= import("zod").then((mod) => {
    // Some loaders (vitest under Bun) hand back the namespace itself rather than its `z` export.
    const z = (mod.z as typeof mod.z | undefined) ?? (mod as unknown as typeof mod.z);
    const mode = z.number().int().min(0).max(0o7777);
    const time = z.number().finite();
    const manifest = z.object({
      version: z.literal(1),
      entries: z
        .array(
          z.discriminatedUnion("type", [
            z.object({
              type: z.literal("file"),
              path: z.string(),
              size: z.number().int().min(0),
              mode,
              mtimeMs: time,
              hash: z.string().regex(/^[0-9a-f]{64}$/, "a sha256 as 64 lowercase hex characters"),
            }),
            z.object({ type: z.literal("dir"), path: z.string(), mode, mtimeMs: time }),
            z.object({ type: z.literal("symlink"), path: z.string(), target: z.string().min(1) }),
          ]),
        )
        .min(1),
    });
    return { z, manifest };
  });
  return schema;
}

/**
 * Validates a manifest that comes from outside (another process, the
 * network): its shape, every name (no `..`, no absolute path), and that the
 * base entry comes first and nothing but a folder has entries under it.
 * Symlink targets are checked where the manifest is applied, against the
 * final location of each link.
 */
export async function parseManifest(where: string, value: unknown): Promise<Manifest> {
  const { z, manifest } = await manifestSchema();
  const parsed = manifest.safeParse(value);
  if (!parsed.success) throw new ManifestError(where, z.prettifyError(parsed.error).replace(/\n/g, "; "));
  const { entries } = parsed.data;
  const base = entries[0]!;
  if (base.path !== "") throw new ManifestError(where, `the first entry must be the base (path ""), not ${JSON.stringify(base.path)}`);
  if (base.type !== "dir" && entries.length > 1) {
    throw new ManifestError(where, `the base is a ${base.type}, so nothing can be under it`);
  }
  const seen = new Set<string>([""]);
  const dirs = new Set<string>([""]);
  for (const [i, entry] of entries.entries()) {
    if (i === 0) continue;
    const parts = checkRelativePath(`${where}] [entry ${i}`, entry.path);
    if (seen.has(entry.path)) throw new ManifestError(where, `entry ${i}: ${JSON.stringify(entry.path)} appears twice`);
    const parent = parts.slice(0, -1).join("/");
    if (!dirs.has(parent)) {
      throw new ManifestError(where, `entry ${i}: ${JSON.stringify(entry.path)} comes before its folder ${JSON.stringify(parent)}, or its folder is not a folder`);
    }
    seen.add(entry.path);
    if (entry.type === "dir") dirs.add(entry.path);
  }
  return parsed.data;
}
