/**
 * The patterns of a `.gitignore` file, as git reads them
 * (https://git-scm.com/docs/gitignore): blank lines and `#` comments are
 * skipped, `!` re-includes, a trailing `/` matches only folders, a `/` at the
 * start or in the middle anchors the pattern to the file's folder (otherwise
 * it matches at any depth), `*` and `?` do not cross `/`, `[...]` is a class,
 * `**` spans folders (`**\/x`, `x/**`, `a/**\/b`), `\` escapes.
 */

/** One pattern of an ignore file. */
export interface IgnoreRule {
  /** The folder of the file it came from, relative to the root (`""` for the root). */
  readonly base: string;
  /** `!pattern`: a match re-includes. */
  readonly negated: boolean;
  /** `pattern/`: only folders match. */
  readonly dirOnly: boolean;
  readonly regex: RegExp;
  /** The line as written, for messages. */
  readonly source: string;
}

/** The rules of one ignore file's text, whose folder is `base` (relative to the root). */
export function parseIgnoreFile(text: string, base = ""): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const rule = parseLine(raw, base);
    if (rule) rules.push(rule);
  }
  return rules;
}

function parseLine(raw: string, base: string): IgnoreRule | undefined {
  // Trailing spaces are dropped unless escaped with a backslash.
  let line = raw.replace(/(?<!\\)\s+$/, "");
  if (line === "" || line.startsWith("#")) return undefined;
  let negated = false;
  if (line.startsWith("!")) {
    negated = true;
    line = line.slice(1);
  } else if (line.startsWith("\\!") || line.startsWith("\\#")) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith("/") && !line.endsWith("\\/")) {
    dirOnly = true;
    line = line.replace(/\/+$/, "");
  }
  if (line === "") return undefined;
  const anchored = line.includes("/");
  if (line.startsWith("/")) line = line.slice(1);
  const body = segmentsToRegex(line.split("/"));
  const regex = new RegExp(`^${anchored ? "" : "(?:.*/)?"}${body}$`, "s");
  return { base, negated, dirOnly, regex, source: raw };
}

function segmentsToRegex(segments: string[]): string {
  let out = "";
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === "**") {
      // `**/` spans zero or more folders; a final `/**` everything inside.
      out += last ? (i === 0 ? ".*" : ".+") : "(?:.*/)?";
      continue;
    }
    out += globToRegex(segment);
    if (!last) out += "/";
  }
  // `a/**` built as `a/.+`; `a/**/b` as `a/(?:.*/)?b`.
  return out;
}

/** One path part's glob (`*`, `?`, `[...]`, `\x`) as a regular expression. */
function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "\\" && i + 1 < glob.length) {
      out += escapeChar(glob[++i]!);
    } else if (c === "*") {
      while (glob[i + 1] === "*") i++;
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const end = classEnd(glob, i);
      if (end < 0) {
        out += "\\[";
        continue;
      }
      let inner = glob.slice(i + 1, end);
      let negate = false;
      if (inner.startsWith("!") || inner.startsWith("^")) {
        negate = true;
        inner = inner.slice(1);
      }
      const escaped = inner.replace(/\\(.)/g, "$1").replace(/[\]\\^]/g, "\\$&");
      out += `[${negate ? "^/" : ""}${escaped}]`;
      i = end;
    } else {
      out += escapeChar(c);
    }
  }
  return out;
}

/** Where the class starting at `start` ends (its `]`), or -1 if it does not. */
function classEnd(glob: string, start: number): number {
  let i = start + 1;
  if (glob[i] === "!" || glob[i] === "^") i++;
  if (glob[i] === "]") i++; // a `]` first is part of the class
  for (; i < glob.length; i++) {
    if (glob[i] === "\\") i++;
    else if (glob[i] === "]") return i;
  }
  return -1;
}

function escapeChar(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/**
 * Whether `path` (relative to the root, `/` between parts) is ignored by
 * `rules`, given in order from the root's file to the deepest one's, each
 * file's lines in order: the last rule that matches decides.
 */
export function isIgnored(rules: readonly IgnoreRule[], path: string, isDir: boolean): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.dirOnly && !isDir) continue;
    let rel = path;
    if (rule.base !== "") {
      if (!path.startsWith(`${rule.base}/`)) continue;
      rel = path.slice(rule.base.length + 1);
    }
    if (rule.regex.test(rel)) ignored = !rule.negated;
  }
  return ignored;
}
