import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { localDiskDriver } from "../drivers/local-disk.ts";
import { localRoot } from "../root.ts";
import { useTempDirs, writeTree } from "../test-support/helpers.ts";
import { ignoreFilter } from "./ignore-filter.ts";
import { quickManifest } from "./quick-scan.ts";

const tempDir = useTempDirs();
const tick = () => new Promise((r) => setTimeout(r, 60));

describe("quickManifest: a folder's manifest with synchronous calls", () => {
  it("builds the manifest scan builds (folders, links, ignore files, new and changed small files), and leaves a large new file to scan", async () => {
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
    // The index and store outside the folder, as syncFolder keeps them under the ignored .lit/.
    const meta = await tempDir();
    const root = () => localRoot(app, { filter, store: localDiskDriver(join(meta, "store")), indexFile: join(meta, "index.json") });
    const quick = await quickManifest(root(), filter);
    await tick();
    const scanned = await root().manifest("");
    expect(quick).toEqual(scanned);
    expect(quick?.entries.map((e) => e.path)).toEqual(["", ".gitignore", "src", "src/lib", "src/lib/current", "src/lib/util.py", "src/main.py"]);

    await writeFile(join(app, "src/lib/util.py"), "x = 2\n");
    await writeFile(join(app, "src/new.py"), "");
    await writeFile(join(app, "more.log"), "still left out");
    await tick();
    const changed = await quickManifest(root(), filter);
    // What quickManifest recorded in the index, scan trusts: both say the same.
    expect(changed).toEqual(await root().manifest(""));
    expect(changed?.entries.find((e) => e.path === "src/lib/util.py")).toMatchObject({ hash: createHash("sha256").update("x = 2\n").digest("hex") });
    expect(changed?.entries.map((e) => e.path)).toContain("src/new.py");

    await writeFile(join(app, "weights.bin"), Buffer.alloc(2 * 1024 * 1024, 1));
    expect(await quickManifest(root(), filter)).toBeUndefined();
  });
});
