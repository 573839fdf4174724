import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { safeSegments, serveFile } from "./static-files.ts";

function site(): { root: string; outside: string } {
  const base = mkdtempSync(join(tmpdir(), "lit-static-"));
  const root = join(base, "site");
  mkdirSync(join(root, "css"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<h1>home</h1>");
  writeFileSync(join(root, "css", "a b.css"), "body{}");
  writeFileSync(join(base, "secret.txt"), "top secret");
  symlinkSync(join(base, "secret.txt"), join(root, "link.txt"));
  symlinkSync(base, join(root, "up"));
  return { root, outside: base };
}

describe("serveFile", () => {
  test("serves files with their type, and a folder's index.html", async () => {
    const { root } = site();
    const home = await serveFile(root, "");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await home.text()).toBe("<h1>home</h1>");
    const css = await serveFile(root, "css/a%20b.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(await css.text()).toBe("body{}");
    expect((await serveFile(root, "missing.js")).status).toBe(404);
  });

  test("never serves anything outside the folder", async () => {
    const { root } = site();
    for (const path of ["../secret.txt", "css/../../secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt", "..%5csecret.txt", "css%2f..%2f..%2fsecret.txt", "%00", "C:%5cwindows"]) {
      const res = await serveFile(root, path);
      expect(res.status, path).toBe(400);
      expect(await res.text(), path).not.toContain("top secret");
    }
    expect(await (await serveFile(root, "up/site/index.html")).text()).toBe("<h1>home</h1>"); // a link that stays inside is fine
    for (const path of ["link.txt", "up/secret.txt"]) {
      const res = await serveFile(root, path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain("top secret");
    }
  });

  test("safeSegments decodes each segment and refuses unsafe ones", () => {
    expect(safeSegments("a/b%20c/./d")).toEqual(["a", "b c", "d"]);
    expect(safeSegments("a/%2e%2e")).toBeUndefined();
    expect(safeSegments("a%2fb")).toBeUndefined();
    expect(safeSegments("%E0%A4%A")).toBeUndefined();
  });
});
