/**
 * Names of files and folders in a work's storage root, as Paths and Drives
 * take them: relative, `/`-separated, never leaving the root. Checked where
 * they are made and again where they arrive from another thread or host.
 */
import { PathError } from "../errors.ts";

const MAX_LENGTH = 4096;

/**
 * Returns `input` as a clean relative name (`./a//b/` becomes `a/b`).
 * @param what how the caller names itself in messages, e.g. `L.Path("../x")`.
 * @throws PathError for an empty, absolute or climbing (`..`) name, a backslash,
 *   a NUL, or a first part starting with `.lit` (kept for lit-app's own files).
 */
export function normalizePath(what: string, input: unknown): string {
  const refuse = (why: string): never => {
    throw new PathError(
      String(input),
      `${what}: refused: ${why}. A Path names a file or folder inside the work's storage root: ` +
        `give a relative name such as "models/best.pt".`,
    );
  };
  if (typeof input !== "string") return refuse(`the name must be a string, got ${input === null ? "null" : typeof input}`);
  if (input.length > MAX_LENGTH) return refuse(`the name is longer than ${MAX_LENGTH} characters`);
  if (input.includes("\0")) return refuse("the name contains a NUL character");
  if (input.includes("\\")) return refuse('the name contains a backslash (use "/" between folders)');
  if (input.startsWith("/") || /^[A-Za-z]:/.test(input) || input === "~" || input.startsWith("~/")) {
    return refuse("it is an absolute path, which would escape the storage root");
  }
  const parts = input.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) return refuse('it climbs out of the storage root with ".."');
  if (parts.length === 0) return refuse("the name is empty (it would be the whole storage root)");
  if (parts[0]!.startsWith(".lit")) return refuse(`names starting with ".lit" are kept for lit-app's own files`);
  return parts.join("/");
}

/** Like {@link normalizePath}, but `""` (the whole tree) is allowed: for listing prefixes. */
export function normalizePrefix(what: string, input: unknown): string {
  if (input === undefined || input === "" || input === ".") return "";
  const clean = normalizePath(what, input);
  return typeof input === "string" && input.endsWith("/") ? `${clean}/` : clean;
}
