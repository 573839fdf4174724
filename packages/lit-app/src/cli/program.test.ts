/** The `lit` definition renders the docs' reference, and a typo finds the command meant. */
import { describe, expect, it } from "vitest";
import { cliReferenceMarkdown, COMING_COMMANDS, litProgram } from "./program.ts";
import { closest } from "./suggest.ts";

describe("cliReferenceMarkdown", () => {
  it("has a section per command of lit --help, with run's arguments and every option", () => {
    const md = cliReferenceMarkdown();
    const program = litProgram();
    for (const command of program.commands) expect(md).toContain(`## \`lit ${command.name()}\``);
    for (const { name } of COMING_COMMANDS) expect(md).toContain(`## \`lit ${name}\`\n\n(coming: not available yet)`);
    const run = program.commands.find((c) => c.name() === "run")!;
    for (const option of run.options) expect(md).toContain(`| \`${option.flags}\` | ${option.description} |`);
    expect(md).toContain("| `app` | the app's file, e.g. app.ts |");
    expect(md).toContain("## App commands");
  });
});

describe("closest", () => {
  it.each([
    ["rnu", "run"],
    ["deplyo", "deploy"],
    ["add-itme", "add-item"],
    ["stauts", "status"],
  ])("%s → %s", (typed, meant) => {
    expect(closest(typed, ["run", "deploy", "status", "logs", "add-item"])).toBe(meant);
  });
  it("nothing for a word far from every command", () => {
    expect(closest("zzzzzz", ["run", "deploy", "add-item"])).toBeUndefined();
    expect(closest("x", ["ui", "run"])).toBeUndefined();
  });
});
