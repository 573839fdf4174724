/** The guide's sidebar, read from the guide's files: order by frontmatter `order` or the name's number, titles. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { guidePages } from "../.vitepress/guide-pages.ts";
import { DOCS } from "../scripts/paths.ts";

it("orders pages by frontmatter order, else the number of their name, and titles them by frontmatter or heading", () => {
  const dir = mkdtempSync(join(tmpdir(), "lit-docs-guide-"));
  try {
    writeFileSync(join(dir, "index.md"), "# The guide\n");
    writeFileSync(join(dir, "10-later.md"), "---\ntitle: Later\n---\n\n# Something else\n");
    writeFileSync(join(dir, "2-second.md"), "# Second page\n");
    writeFileSync(join(dir, "first.md"), '---\norder: 1\ntitle: "First"\n---\n');
    writeFileSync(join(dir, "unnumbered.md"), "no heading\n");
    expect(guidePages(dir).map((p) => [p.link, p.title])).toEqual([
      ["/guide/first", "First"],
      ["/guide/2-second", "Second page"],
      ["/guide/10-later", "Later"],
      ["/guide/unnumbered", "unnumbered"],
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it("lists every page of the guide folder, each with a title", () => {
  const pages = guidePages(join(DOCS, "guide"));
  expect(pages.length).toBeGreaterThan(0);
  for (const page of pages) expect(page.title, page.file).not.toBe(page.file.replace(/\.md$/, ""));
});
