/** reference/cli.md: the `lit` command, from the CLI's own definition (the one `lit --help` prints). */
import { cliReferenceMarkdown } from "../../../packages/lit-app/src/cli/program.ts";
import { GENERATED } from "./paths.ts";
import { writeGenerated } from "./write-file.ts";

/** Text outside code spans, with `<` and `>` as entities (VitePress reads `<compute>` as a tag). */
const escapeText = (text: string): string =>
  text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;")))
    .join("");

/**
 * The CLI reference for the site: a `|` in a table's cell (`--runtime <bun|node|deno>`) escaped so that it
 * does not split the cell, and `<name>` outside code shown as text.
 */
export function siteCliMarkdown(markdown: string = cliReferenceMarkdown()): string {
  return markdown
    .split("\n")
    .map((line) => {
      const row = /^\| (.+?) \| (.*) \|$/.exec(line);
      if (!row || row[1] === "---") return line;
      const cell = (text: string) => escapeText(text).replace(/\|/g, "\\|");
      return `| ${cell(row[1]!)} | ${cell(row[2]!)} |`;
    })
    .map((line) => (line.startsWith("|") || line.startsWith("```") || line.startsWith("lit ") ? line : escapeText(line)))
    .join("\n");
}

/** Writes reference/cli.md. */
export function writeCliReference(): void {
  const note = "<!-- Generated from packages/lit-app/src/cli/program.ts by apps/docs/scripts/cli-reference.ts; do not edit. -->\n\n";
  writeGenerated(GENERATED.cli, `---\ntitle: The lit command\n---\n\n${note}${siteCliMarkdown()}`);
}
