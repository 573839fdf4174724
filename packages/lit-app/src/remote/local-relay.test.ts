/**
 * This machine as the Path relay reaches it: what relaying leaves in the
 * app's storage folder (the root's `.lit-storage`) goes when the run ends and
 * nothing else is there, with the `.lit` folders lit-app made beside the app;
 * a file a work left keeps all of it.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localRoot } from "@lit-app/storage";
import { localRelayHost, relayPath, type RelayHost } from "./path-relay.ts";

let dir: string;
let saved: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "lit-local-relay-"));
  saved = process.env.LIT_STORAGE_DIR;
  delete process.env.LIT_STORAGE_DIR;
});
afterEach(() => {
  if (saved !== undefined) process.env.LIT_STORAGE_DIR = saved;
  rmSync(dir, { recursive: true, force: true });
});

/** A host stand-in: a storage root in a folder of its own, with a file of root.far's. */
function farHost(): RelayHost {
  const root = join(dir, "far");
  mkdirSync(join(root, "root.far"), { recursive: true });
  writeFileSync(join(root, "root.far", "out.txt"), "from far\n");
  return { alias: "far", storage: async () => ({ root: localRoot(root), appDir: "" }) };
}

describe("localRelayHost", () => {
  it("removes the root's metadata and the .lit folders it made once nothing else is left", async () => {
    const app = join(dir, "project", "app.ts");
    const here = localRelayHost(app, "app");
    await relayPath({ path: "out.txt", origin: "root.far" }, farHost(), here);
    const storage = join(dir, "project", ".lit", "storage", "app");
    expect(readdirSync(storage).sort()).toEqual([".lit-storage", "root.far"]);
    // The work that read it released its copy (as a local work's storage does when it ends).
    rmSync(join(storage, "root.far"), { recursive: true });
    await here.close!();
    expect(readdirSync(join(dir, "project"))).toEqual([]);
  });

  it("keeps everything while a work's file is there", async () => {
    const app = join(dir, "project", "app.ts");
    const here = localRelayHost(app, "app");
    await relayPath({ path: "out.txt", origin: "root.far" }, farHost(), here);
    await here.close!();
    expect(existsSync(join(dir, "project", ".lit", "storage", "app", "root.far", "out.txt"))).toBe(true);
  });

  it("does nothing when no Path was relayed", async () => {
    mkdirSync(join(dir, "project", ".lit"), { recursive: true });
    await localRelayHost(join(dir, "project", "app.ts"), "app").close!();
    expect(existsSync(join(dir, "project", ".lit"))).toBe(true);
  });
});
