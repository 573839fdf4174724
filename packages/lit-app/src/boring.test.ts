/**
 * The boring app (examples/boring, from "Moving to the Cloud") on Bun, Node and Deno: the file one
 * work wrote is served by another work, which got it through an L.Path. The test reads the app's
 * layout (a "Boring Tab" on the serving work's URL), fetches the file there, and the app ends by
 * itself (LIT_EXAMPLE_EXIT=1) once it served it. Files go to a temp folder (LIT_STORAGE_DIR).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { example, RUNTIMES, startApp } from "./test-support/app-process.ts";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-boring-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe.each(RUNTIMES)("the boring app on %s", (runtime) => {
  it("serves the file the source work wrote from the destination work's port, shown in a layout tab", async () => {
    const port = await freePort();
    const app = startApp(runtime, example("boring"), { env: { BORING_PORT: String(port), LIT_EXAMPLE_EXIT: "1", LIT_STORAGE_DIR: dir } });
    try {
      const ui = (await app.waitFor(/^\[lit-app\] the app's UI: http:\/\/127\.0\.0\.1:\d+/)).text.split(": ")[1]!;
      await app.waitFor(`root.destWork | serving the content of boring_file.txt (from root.sourceWork) at http://127.0.0.1:${port}/file`);
      const layout = (await (await fetch(`${ui}/api/v1/layout`)).json()) as { tabs: unknown[] };
      expect(layout.tabs).toEqual([{ name: "Boring Tab", kind: "url", url: `http://127.0.0.1:${port}/file` }]);
      const response = await fetch(`http://127.0.0.1:${port}/file`);
      expect(response.status).toBe(200);
      const written = readFileSync(join(dir, "boring", "root.sourceWork", "boring_file.txt"), "utf8");
      expect(await response.text()).toBe(written);
      expect(written).toContain("Hello there!");
      expect(readFileSync(join(dir, "boring", "root.destWork", "boring_file.txt"), "utf8")).toBe(written);
      const exit = await app.done();
      expect(exit, app.transcript()).toMatchObject({ code: 0, signal: null });
      expect(app.linesOf("root.sourceWork").map((l) => l.text)).toEqual(["wrote boring_file.txt"]);
    } finally {
      app.kill();
    }
  });
});
