/**
 * The guide's pages for the sidebar, read from guide/*.md so that a new page needs no edit here:
 * ordered by frontmatter `order`, else by the file name's number prefix (`06-schedule.md`), then
 * by name; titled by frontmatter `title`, else the page's first `# ` heading, else its file name.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One guide page: its link (`/guide/06-schedule`) and title. */
export interface GuidePage {
  link: string;
  title: string;
  order: number;
  file: string;
}

function frontmatter(text: string): Record<string, string> {
  const block = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  const out: Record<string, string> = {};
  for (const line of block?.[1]?.split(/\r?\n/) ?? []) {
    const pair = /^(\w+):\s*(.*)$/.exec(line);
    if (pair) out[pair[1]!] = pair[2]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  return out;
}

/** The pages of `dir` (apps/docs/guide), index.md left out, in reading order. */
export function guidePages(dir: string): GuidePage[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".md") && file !== "index.md")
    .map((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      const meta = frontmatter(text);
      const prefix = /^(\d+)[-_.]/.exec(file);
      const order = meta.order !== undefined ? Number(meta.order) : prefix ? Number(prefix[1]) : Number.MAX_SAFE_INTEGER;
      const title = meta.title || /^#\s+(.+)$/m.exec(text)?.[1]?.trim() || file.replace(/\.md$/, "");
      return { link: `/guide/${file.replace(/\.md$/, "")}`, title, order, file };
    })
    .sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));
}
