/**
 * The files an `Include` pattern names, as OpenSSH's glob(3) finds them:
 * `*`, `?` and `[...]` in any path component, matches sorted, no dot files
 * matched by a wildcard, a pattern that matches nothing is no file.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const MAGIC = /[*?[]/;

function componentRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) source += "\\[";
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        source += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

/** The existing files `absolutePattern` matches, sorted; the path itself when it has no wildcard and exists. */
export function expandGlob(absolutePattern: string): string[] {
  if (!MAGIC.test(absolutePattern)) {
    try {
      return statSync(absolutePattern).isFile() ? [absolutePattern] : [];
    } catch {
      return [];
    }
  }
  const parts = absolutePattern.split("/").filter((p, i) => p !== "" || i === 0);
  let bases = [parts[0] === "" ? "/" : parts[0]!];
  for (const part of parts.slice(1)) {
    const next: string[] = [];
    for (const base of bases) {
      if (!MAGIC.test(part)) {
        next.push(join(base, part));
        continue;
      }
      const re = componentRegExp(part);
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names.sort()) if (re.test(name) && (!name.startsWith(".") || part.startsWith("."))) next.push(join(base, name));
    }
    bases = next;
  }
  return bases.filter((p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  });
}
