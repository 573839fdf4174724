/**
 * The site's Markdown pages as written (generated reference pages left out), their fenced code blocks
 * and their includes: `<<< @/file` (code) and `<!--@include: file-->` (Markdown).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { DOCS, GENERATED } from "../../scripts/paths.ts";

/** Folders and files of apps/docs that are not pages written by hand. */
const NOT_PAGES = ["node_modules", ".vitepress", "examples", "src", "scripts", "public", "README.md"].map((p) => join(DOCS, p));
const GENERATED_PATHS = Object.values(GENERATED);
const isGenerated = (file: string): boolean => GENERATED_PATHS.some((g) => file === g || file.startsWith(`${g}/`)) || file.startsWith(join(DOCS, "reference/parts"));

/** Every page written by hand (absolute paths), and the Markdown files they include. */
export function writtenPages(dir: string = DOCS): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (NOT_PAGES.includes(path) || isGenerated(path)) continue;
    if (entry.isDirectory()) out.push(...writtenPages(path));
    else if (entry.name.endsWith(".md")) out.push(path);
  }
  if (dir !== DOCS) return out;
  const included = out.flatMap((page) => markdownIncludes(page).map((i) => i.file)).filter((f) => !isGenerated(f) && existsSync(f));
  return [...new Set([...out, ...included])].sort();
}

/** A line of a page, for messages: `guide/06-schedule.md:12`. */
export const where = (page: string, line: number): string => `${relative(DOCS, page)}:${line}`;

/** The fenced code blocks of a Markdown text: the line (1-based) each opens on. */
export function fencedBlocks(text: string): number[] {
  const lines = text.split(/\r?\n/);
  const out: number[] = [];
  let open: string | undefined;
  lines.forEach((line, i) => {
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (!fence) return;
    if (open === undefined) {
      out.push(i + 1);
      open = fence;
    } else if (fence[0] === open[0] && fence.length >= open.length && line.trim() === fence) open = undefined;
  });
  return out;
}

/** A code include of a page: `<<< @/../../examples/storage/app.ts#flow`. */
export interface CodeInclude {
  line: number;
  /** As written after `@/`: `../../examples/storage/app.ts`, `examples/run/bun.sh`. */
  path: string;
  file: string;
  region?: string;
}

/** The code includes of a page. */
export function codeIncludes(page: string): CodeInclude[] {
  const out: CodeInclude[] = [];
  readFileSync(page, "utf8")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const m = /^<<<\s+(\S+?)(?:#([\w-]+))?(?:\{[^}]*\})*(?:\s+\[[^\]]*\])?\s*$/.exec(line.trim());
      if (!line.trim().startsWith("<<<")) return;
      if (!m) {
        out.push({ line: i + 1, path: line.trim(), file: "" });
        return;
      }
      const written = m[1]!;
      const path = written.startsWith("@/") ? written.slice(2) : relative(DOCS, resolve(dirname(page), written));
      out.push({ line: i + 1, path, file: resolve(DOCS, path), ...(m[2] ? { region: m[2] } : {}) });
    });
  return out;
}

/** The Markdown includes of a page: `<!--@include: ./parts/bench-suites.md-->`. */
export function markdownIncludes(page: string): { line: number; file: string }[] {
  const out: { line: number; file: string }[] = [];
  readFileSync(page, "utf8")
    .split(/\r?\n/)
    .forEach((line, i) => {
      const m = /<!--\s*@include:\s*(.+?)\s*-->/.exec(line);
      if (m) out.push({ line: i + 1, file: m[1]!.startsWith("@/") ? resolve(DOCS, m[1]!.slice(2)) : resolve(dirname(page), m[1]!) });
    });
  return out;
}

/** Whether an included file holds a `#region name` (as `// #region name`, `# #region name`, `<!-- #region name -->`). */
export const hasRegion = (text: string, region: string): boolean => new RegExp(`#region ${region}\\b`).test(text);

/** apps/docs/tested-examples.json: each test file (from the repository's root) and the files it runs. */
export function testedExamples(): Record<string, string[]> {
  const list = JSON.parse(readFileSync(join(DOCS, "tested-examples.json"), "utf8")) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(list).filter(([key]) => !key.startsWith("$")) as [string, string[]][]);
}
