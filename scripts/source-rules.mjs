/**
 * Source rules checked by `npm run lint` and by @lit-app/core's purity test:
 * the core imports nothing runtime-specific and owns no timers, and no
 * package declares an `enum`. Plain Node, no dependencies.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

/** Node's built-in modules that may be imported without the `node:` prefix. */
const NODE_BUILTINS = new Set([
  "assert", "async_hooks", "buffer", "child_process", "cluster", "console", "crypto", "dgram", "dns",
  "events", "fs", "fs/promises", "http", "http2", "https", "inspector", "module", "net", "os", "path",
  "perf_hooks", "process", "readline", "repl", "stream", "string_decoder", "timers", "tls", "tty", "url",
  "util", "v8", "vm", "worker_threads", "zlib",
]);

/**
 * Blanks comments (and, with `strings`, the text of string and template
 * literals) so that rules match code only. Newlines are kept, so line
 * numbers stay right.
 */
export function blank(source, strings = false) {
  let out = "";
  let i = 0;
  const n = source.length;
  const keep = (s) => (out += s);
  const hide = (s) => (out += s.replace(/[^\n]/g, " "));
  const braces = []; // for each open `${`, the brace depth at which it closes
  let depth = 0;
  let prev = ""; // last significant character, to tell a regex from a division
  while (i < n) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? n : end;
      hide(source.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? n : end + 2;
      hide(source.slice(i, stop));
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      const lit = source.slice(i, j + 1);
      strings ? keep(c + lit.slice(1, -1).replace(/[^\n]/g, " ") + c) : keep(lit);
      i = j + 1;
      prev = c;
      continue;
    }
    if (c === "`" || (c === "}" && braces.length && braces[braces.length - 1] === depth)) {
      if (c === "}") braces.pop();
      // template text up to the closing backtick or the next `${`
      let j = i + 1;
      while (j < n && source[j] !== "`" && !(source[j] === "$" && source[j + 1] === "{")) j += source[j] === "\\" ? 2 : 1;
      const text = source.slice(i + 1, j);
      keep(c);
      strings ? hide(text) : keep(text);
      if (source[j] === "$") {
        keep("${");
        braces.push(depth);
        i = j + 2;
        prev = "{";
      } else {
        keep("`");
        i = j + 1;
        prev = "`";
      }
      continue;
    }
    if (c === "/" && (prev === "" || "(,=:[!&|?{};+-*%<>~^".includes(prev) || /\b(?:return|typeof|case|in|of|delete|void|throw|new|yield|await|else|do)\s*$/.test(out.slice(-16)))) {
      // a regular expression literal
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== "\n") {
        if (source[j] === "\\") j += 2;
        else if (source[j] === "[") (inClass = true), j++;
        else if (source[j] === "]") (inClass = false), j++;
        else if (source[j] === "/" && !inClass) break;
        else j++;
      }
      keep("/");
      strings ? hide(source.slice(i + 1, j)) : keep(source.slice(i + 1, j));
      keep("/");
      i = j + 1;
      prev = "/";
      continue;
    }
    if (c === "{") depth++;
    if (c === "}") depth--;
    keep(c);
    if (!/\s/.test(c)) prev = c;
    i++;
  }
  return out;
}

function lineOf(text, index) {
  let line = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Module specifiers a file imports or re-exports, with their line numbers. */
export function importsOf(source) {
  const code = blank(source);
  const out = [];
  const patterns = [
    /\b(?:import|export)\b[^;'"`]*?\bfrom\s*(["'])([^"'\n]+)\1/g,
    /\bimport\s*(["'])([^"'\n]+)\1/g,
    /\bimport\s*\(\s*(["'])([^"'\n]+)\1\s*\)/g,
    /(?<![\w$.])require\s*\(\s*(["'])([^"'\n]+)\1\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of code.matchAll(re)) out.push({ specifier: m[2], line: lineOf(code, m.index) });
  }
  return out;
}

const GLOBALS = [
  { re: /(?<![\w$.])Bun\s*\./g, what: "uses Bun.* (runtime-specific)" },
  { re: /(?<![\w$.])Deno\s*\./g, what: "uses Deno.* (runtime-specific)" },
  { re: /(?<![\w$.])process\s*\./g, what: "uses process.* (Node-specific)" },
  { re: /(?<![\w$.])(?:globalThis\.)?setTimeout\b/g, what: "uses setTimeout (the core owns no timers: ask the WakeScheduler port)" },
  { re: /(?<![\w$.])(?:globalThis\.)?setInterval\b/g, what: "uses setInterval (the core owns no timers: ask the WakeScheduler port)" },
  { re: /(?<![\w$.])(?:globalThis\.)?setImmediate\b/g, what: "uses setImmediate (the core owns no timers: ask the WakeScheduler port)" },
  { re: /(?<![\w$.])require\s*\(/g, what: "uses require() (the core is ESM and imports nothing runtime-specific)" },
];

/**
 * What makes a source file impure for the core: imports of `node:*`, Node
 * built-ins, `bun`, `deno`; uses of `Bun.`, `Deno.`, `process.`, timers,
 * `require(`. Comments and strings are ignored.
 * @returns one `{ line, message }` per finding.
 */
export function impurities(source) {
  const found = [];
  for (const { specifier, line } of importsOf(source)) {
    const bad =
      specifier.startsWith("node:") ||
      NODE_BUILTINS.has(specifier) ||
      specifier === "bun" ||
      specifier.startsWith("bun:") ||
      specifier === "deno" ||
      specifier.startsWith("@deno/") ||
      specifier.startsWith("jsr:") ||
      specifier.startsWith("npm:");
    if (bad) found.push({ line, message: `imports "${specifier}" (runtime-specific); the core must stay pure: declare a port in ports.ts instead` });
  }
  const code = blank(source, true);
  for (const { re, what } of GLOBALS) {
    for (const m of code.matchAll(re)) found.push({ line: lineOf(code, m.index), message: what });
  }
  return found.sort((a, b) => a.line - b.line);
}

/** `enum` declarations (use a literal union or an `as const` object instead). */
export function enums(source) {
  const code = blank(source, true);
  const found = [];
  for (const m of code.matchAll(/(?<![\w$.])(?:(?:export|declare|const)\s+)*enum\s+[A-Za-z_$][\w$]*\s*\{/g)) {
    found.push({ line: lineOf(code, m.index), message: "declares an enum; use a literal union or an `as const` object instead" });
  }
  return found;
}

/** Every `.ts`/`.tsx`/`.mts` file under `dir` (node_modules skipped), sorted. */
export function sourceFiles(dir, { tests = true } = {}) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      if (name === "node_modules" || name.startsWith(".")) continue;
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(?:ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts") && (tests || !/\.test\.tsx?$/.test(name))) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * Checks the core's source for impurities (test files excluded).
 * @returns `file:line: message` strings, relative to `base`.
 */
export function checkPurity(srcDir, base = srcDir) {
  const out = [];
  for (const file of sourceFiles(srcDir, { tests: false })) {
    for (const f of impurities(readFileSync(file, "utf8"))) out.push(`${relative(base, file)}:${f.line}: ${f.message}`);
  }
  return out;
}

/** Checks source files for `enum` declarations. */
export function checkEnums(srcDir, base = srcDir) {
  const out = [];
  for (const file of sourceFiles(srcDir)) {
    for (const f of enums(readFileSync(file, "utf8"))) out.push(`${relative(base, file)}:${f.line}: ${f.message}`);
  }
  return out;
}
