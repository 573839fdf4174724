/**
 * Reads `~/.ssh/config` with the files it includes into one ssh-config
 * document, remembering for every line the file and line it came from, so
 * that an error can name them.
 *
 * `Include` is expanded where it stands, as OpenSSH does: relative paths are
 * under `~/.ssh`, `~` is the home folder, wildcards match sorted, a pattern
 * that matches nothing is skipped, nesting stops at 16 levels. An Include
 * inside a Host or Match block keeps that block open after the included lines.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import SSHConfig from "ssh-config";
import { SshConfigError } from "../errors.ts";
import { expandGlob } from "./expand-glob.ts";

/** Where one line of the merged document came from. */
export interface LineOrigin {
  file: string;
  line: number;
  text: string;
}

/** `~/.ssh/config` and its includes, parsed. */
export interface LoadedConfig {
  /** The merged document, as ssh-config parsed it. */
  config: SSHConfig;
  /** The origin of each line of the merged document, in order. */
  lines: readonly LineOrigin[];
  /** The file read first (`<home>/.ssh/config`). */
  file: string;
}

const MAX_DEPTH = 16;
const MAX_BYTES = 1 << 20;
const INCLUDE = /^\s*include(?:\s*=\s*|\s+)(.*)$/i;
const SECTION = /^\s*(host|match)(\s|=)/i;

/** The words of an Include value: whitespace separates them, double quotes group them. */
function words(value: string): string[] {
  const out: string[] = [];
  for (const m of value.replace(/\s#.*$/, "").matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2]!);
  return out;
}

function readLines(file: string, from: LineOrigin | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    if (from === undefined && (cause as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw new SshConfigError(
      from?.file ?? file,
      from?.line,
      `cannot read ${file}: ${(cause as Error).message}`,
      { cause },
    );
  }
  if (text.length > MAX_BYTES) throw new SshConfigError(file, undefined, `the file is larger than ${MAX_BYTES} bytes; is it an ssh config?`);
  return text.split(/\r?\n/);
}

function flatten(file: string, home: string, depth: number, from: LineOrigin | undefined, out: LineOrigin[]): void {
  let section: string | undefined;
  readLines(file, from).forEach((text, i) => {
    const origin = { file, line: i + 1, text };
    const include = INCLUDE.exec(text);
    if (include === null) {
      if (SECTION.test(text)) section = text;
      out.push(origin);
      return;
    }
    if (depth >= MAX_DEPTH) throw new SshConfigError(file, i + 1, `Include nested deeper than ${MAX_DEPTH} levels (does a file include itself?)`);
    const start = out.length;
    for (const pattern of words(include[1]!)) {
      const path = pattern.startsWith("~/") ? join(home, pattern.slice(2)) : isAbsolute(pattern) ? pattern : join(home, ".ssh", pattern);
      for (const included of expandGlob(path)) flatten(included, home, depth + 1, origin, out);
    }
    // Lines after the Include still belong to the block it stood in.
    if (section !== undefined && out.slice(start).some((l) => SECTION.test(l.text))) out.push({ file, line: i + 1, text: section });
  });
}

/** The line of the merged document that ssh-config cannot parse, found by parsing the lines one by one. */
function firstBadLine(lines: readonly LineOrigin[]): { origin: LineOrigin; message: string } | undefined {
  for (const origin of lines) {
    try {
      SSHConfig.parse(origin.text);
    } catch (e) {
      return { origin, message: (e as Error).message };
    }
  }
  return undefined;
}

/**
 * Reads `<home>/.ssh/config` and what it includes. A missing file is an empty
 * config; an unreadable or unparsable one is an {@link SshConfigError} that
 * names the file and line.
 */
export function loadSshConfig(home: string): LoadedConfig {
  const file = join(home, ".ssh", "config");
  const lines: LineOrigin[] = [];
  flatten(file, home, 0, undefined, lines);
  try {
    const config = SSHConfig.parse(lines.map((l) => l.text).join("\n"));
    return { config, lines, file };
  } catch (cause) {
    const bad = firstBadLine(lines);
    if (bad !== undefined) {
      throw new SshConfigError(bad.origin.file, bad.origin.line, `cannot parse ${JSON.stringify(bad.origin.text.trim())}: ${bad.message}`, { cause });
    }
    throw new SshConfigError(file, undefined, `cannot parse: ${(cause as Error).message}`, { cause });
  }
}

/** The first line that sets `keyword` (any case), for error messages; the config file itself when none does. */
export function originOf(loaded: LoadedConfig, keyword: string, value?: string): { file: string; line: number | undefined } {
  const re = new RegExp(`^\\s*${keyword}(\\s*=\\s*|\\s+)"?(.*?)"?\\s*(#.*)?$`, "i");
  for (const l of loaded.lines) {
    const m = re.exec(l.text);
    if (m !== null && (value === undefined || m[2] === value)) return { file: l.file, line: l.line };
  }
  return { file: loaded.file, line: undefined };
}
