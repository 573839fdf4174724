import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { localRoot } from "../root.ts";
import { useTempDirs, writeTree } from "../test-support/helpers.ts";
import { isIgnored, parseIgnoreFile } from "./gitignore.ts";
import { ignoreFilter } from "./ignore-filter.ts";

const tempDir = useTempDirs();

function ignored(patterns: string, path: string, isDir = false): boolean {
  return isIgnored(parseIgnoreFile(patterns), path, isDir);
}

describe("gitignore patterns", () => {
  it.each([
    ["*.log", "a.log", true],
    ["*.log", "deep/er/a.log", true],
    ["*.log", "a.logx", false],
    ["/build", "build", true],
    ["/build", "src/build", false],
    ["build", "src/build", true],
    ["src/*.js", "src/a.js", true],
    ["src/*.js", "src/x/a.js", false],
    ["src/*.js", "lib/src/a.js", false],
    ["**/cache", "a/b/cache", true],
    ["**/cache", "cache", true],
    ["a/**/b", "a/b", true],
    ["a/**/b", "a/x/y/b", true],
    ["a/**/b", "x/a/b", false],
    ["out/**", "out/x/y", true],
    ["out/**", "out", false],
    ["foo?.txt", "foo1.txt", true],
    ["foo?.txt", "foo/.txt", false],
    ["[abc]x", "bx", true],
    ["[abc]x", "dx", false],
    ["[!abc]x", "dx", true],
    ["[!abc]x", "ax", false],
    ["\\#hash", "#hash", true],
    ["# a comment", "# a comment", false],
    ["\\!bang", "!bang", true],
    ["trailing\\ ", "trailing ", true],
    ["spaces   ", "spaces", true],
    ["a.b", "axb", false],
  ])("%j on %j: %s", (pattern, path, expected) => {
    expect(ignored(pattern, path)).toBe(expected);
  });

  it("matches folders only with a trailing slash, and lets the last match decide", () => {
    expect(ignored("logs/", "logs", true)).toBe(true);
    expect(ignored("logs/", "logs", false)).toBe(false);
    expect(ignored("*.log\n!keep.log", "keep.log")).toBe(false);
    expect(ignored("!keep.log\n*.log", "keep.log")).toBe(true);
    // A deeper file's pattern applies below its own folder only.
    const rules = [...parseIgnoreFile("*.bin"), ...parseIgnoreFile("!model.bin\n/local.txt", "sub")];
    expect(isIgnored(rules, "sub/model.bin", false)).toBe(false);
    expect(isIgnored(rules, "other/model.bin", false)).toBe(true);
    expect(isIgnored(rules, "sub/local.txt", false)).toBe(true);
    expect(isIgnored(rules, "local.txt", false)).toBe(false);
  });

  it("leaves out what git leaves out, on a tree with nested .gitignore files", async () => {
    if (spawnSync("git", ["--version"]).status !== 0) return expect.fail("git is needed for this test");
    const dir = await tempDir();
    const files = [
      "a.log", "keep.log", "src/deep/x.log", "build/out.js", "src/build/kept.js", "dist/bundle.js", "src/dist/b.js",
      "dist", // a file named like a folder pattern is kept
      "docs/a/b/c.tmp", "docs/c.tmp", "c.tmp", "a/b", "a/x/y/b", "x/a/b", "deep/cache/f", "cache/g", "#hash", "foo1.txt",
      "foo12.txt", "ax.txt", "dx.txt", "dy.txt", "ay.txt", "out/x/y", "sub/nested.txt", "sub/m.bin", "sub/important.bin",
      "sub/local.txt", "sub/inner/local.txt", "sub/inner/z.bin", "other/m.bin", "train.py", "data/values.csv", "node_modules/p/index.js",
      "sub/inner/.gitignore", "weird name.txt", "weird name.tmp",
    ].filter((f) => f !== "dist");
    const tree: Record<string, string> = Object.fromEntries(files.map((f) => [f, `content of ${f}`]));
    tree[".gitignore"] = [
      "# build output", "*.log", "!keep.log", "/build", "dist/", "docs/**/*.tmp", "a/**/b", "**/cache", "\\#hash", "foo?.txt",
      "[abc]x.txt", "[!d]y.txt", "sub/nested.txt", "out/**", "node_modules", "*.tmp", "!weird name.tmp", "",
    ].join("\n");
    tree["sub/.gitignore"] = "*.bin\n!important.bin\n/local.txt\n";
    tree["sub/inner/.gitignore"] = "!z.bin\n";
    await writeTree(dir, tree);
    expect(spawnSync("git", ["init", "-q"], { cwd: dir }).status).toBe(0);
    const listed = spawnSync("git", ["ls-files", "-z", "--others", "--exclude-standard"], { cwd: dir, encoding: "utf8" });
    const byGit = listed.stdout.split("\0").filter(Boolean).sort();
    const manifest = await localRoot(dir, { indexFile: `${dir}.index.json`, filter: ignoreFilter(dir) }).manifest("");
    const byUs = manifest.entries.filter((e) => e.type === "file").map((e) => e.path).sort();
    expect(byUs).toEqual(byGit);
    expect(byUs).toContain("sub/inner/z.bin");
    expect(byUs).not.toContain("sub/m.bin");
  });

  it("reads .litignore after .gitignore in each folder, and leaves out .git/ and .lit/", async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      ".gitignore": "*.ckpt\n",
      ".litignore": "data/raw/\n!best.ckpt\n",
      "best.ckpt": "b",
      "last.ckpt": "l",
      "data/raw/huge.bin": "x",
      "data/small.csv": "s",
      ".git/HEAD": "ref",
      ".lit/storage/x": "y",
      "train.py": "print(1)",
    });
    const manifest = await localRoot(dir, { indexFile: `${dir}.index.json`, filter: ignoreFilter(dir) }).manifest("");
    const paths = manifest.entries.filter((e) => e.type === "file").map((e) => e.path).sort();
    expect(paths).toEqual([".gitignore", ".litignore", "best.ckpt", "data/small.csv", "train.py"]);
  });
});
