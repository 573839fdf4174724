import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localRoot } from "../root.ts";
import { useTempDirs, writeTree } from "../test-support/helpers.ts";
import { ignoreFilter } from "./ignore-filter.ts";
import { manifestIfKnown } from "./known-scan.ts";

const tempDir = useTempDirs();

describe("manifestIfKnown: the quick scan of a folder whose files the index knows", () => {
  it("builds the manifest scan builds (folders, links, ignore files), and gives up at a new or changed file", async () => {
    const app = await tempDir();
    await writeTree(app, {
      ".gitignore": "*.log\nbuild/\n",
      "src/main.py": { content: "print('hi')\n", mode: 0o755 },
      "src/lib/util.py": "x = 1\n",
      "src/lib/current": { link: "util.py" },
      "notes.log": "left out",
      "build/out.bin": "left out",
    });
    const filter = ignoreFilter(app);
    const root = localRoot(app, { filter });
    expect(await manifestIfKnown(root, filter)).toBeUndefined(); // nothing hashed yet
    await root.manifest(""); // hashes the files (and makes the index, which changes the folder's mtime)
    // Files are trusted once looked at a clock tick after their last write.
    await new Promise((r) => setTimeout(r, 60));
    const scanned = await localRoot(app, { filter }).manifest("");
    const quick = await manifestIfKnown(localRoot(app, { filter }), filter);
    expect(quick).toEqual(scanned);
    expect(quick?.entries.map((e) => e.path)).toEqual(["", ".gitignore", "src", "src/lib", "src/lib/current", "src/lib/util.py", "src/main.py"]);

    await writeFile(join(app, "src/lib/util.py"), "x = 2\n");
    expect(await manifestIfKnown(localRoot(app, { filter }), filter)).toBeUndefined();
    await writeFile(join(app, "src/new.py"), "");
    expect(await manifestIfKnown(localRoot(app, { filter }), filter)).toBeUndefined();
    await writeFile(join(app, "more.log"), "still left out");
    expect((await localRoot(app, { filter }).manifest("")).entries.map((e) => e.path)).not.toContain("more.log");
  });
});
