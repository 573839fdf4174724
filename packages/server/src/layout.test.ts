import * as L from "@lit-app/core";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { get, raw } from "./test-support/http.ts";
import { serveApp, type ServedApp } from "./test-support/serve-app.ts";

let served: ServedApp | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function frontendDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lit-frontend-"));
  mkdirSync(join(dir, "js"));
  writeFileSync(join(dir, "index.html"), "<h1>dashboard</h1>");
  writeFileSync(join(dir, "js", "main.js"), "export const x = 1;");
  writeFileSync(join(dir, "..", `${dir.split("/").pop()}-secret.txt`), "TOP-SECRET-CONTENT");
  return dir;
}

class Server1 extends L.LightningWork {
  run() {}
}

describe("configureLayout()", () => {
  test("resolves a child flow, a work's URL, a URL and a static frontend, and serves the frontend's folder safely", async () => {
    const dir = frontendDir();
    const port = await freePort();
    class Child extends L.LightningFlow {
      notes = "";
      run() {}
      override configureLayout() {
        return { name: "Inner", content: "https://example.com/inner" };
      }
    }
    class Plain extends L.LightningFlow {
      run() {}
    }
    class Root extends L.LightningFlow {
      child = new Child();
      plain = new Plain();
      server = new Server1({ port });
      run() {}
      override configureLayout() {
        return [
          { name: "Dashboard", content: new L.StaticWebFrontend(dir) },
          { name: "Served", content: this.server },
          { name: "Docs", content: "https://example.com/docs" },
          { name: "Child", content: this.child },
          { name: "Plain", content: this.plain },
          { name: "Broken", content: 42 as unknown as string },
        ];
      }
    }
    served = await serveApp(new L.LightningApp(new Root(), { name: "layouts" }));
    const layout = (await get(`${served.url}/api/v1/layout`)).body;
    expect(layout.name).toBe("layouts");
    expect(layout.tabs).toEqual([
      { name: "Dashboard", kind: "frontend", flow: "root", url: "/frontends/root/0/" },
      { name: "Served", kind: "work", work: "root.server", url: `http://127.0.0.1:${port}` },
      { name: "Docs", kind: "url", url: "https://example.com/docs" },
      { name: "Child", kind: "flow", flow: "root.child", tabs: [{ name: "Inner", kind: "url", url: "https://example.com/inner" }] },
      { name: "Plain", kind: "flow", flow: "root.plain", tabs: [] },
      { name: "Broken", kind: "invalid", message: expect.stringContaining('the content of tab "Broken" is not a flow, a work, a URL or a frontend') },
    ]);
    expect(served.engine.stateDocument().components["root.server"]!.url).toBe(`http://127.0.0.1:${port}`);

    const page = await raw(`${served.url}/frontends/root/0/`);
    expect([page.status, page.body, page.headers["content-type"]]).toEqual([200, "<h1>dashboard</h1>", "text/html; charset=utf-8"]);
    expect((await raw(`${served.url}/frontends/root/0/js/main.js`)).body).toBe("export const x = 1;");
    expect((await raw(`${served.url}/frontends/root/0`)).status).toBe(301);
    for (const path of ["/frontends/root/0/../x", "/frontends/root/0/%2e%2e/" + dir.split("/").pop() + "-secret.txt", "/frontends/root/0/..%2f..%2fetc%2fpasswd"]) {
      const res = await raw(served.url + path);
      expect(res.body, path).not.toContain("TOP-SECRET-CONTENT");
      expect(res.body, path).not.toContain("root:");
      expect([400, 404], path).toContain(res.status);
    }
    expect((await raw(`${served.url}/frontends/root/2/`)).status).toBe(404);
    expect((await raw(`${served.url}/frontends/root.nope/0/`)).status).toBe(404);
  });

  test("a layout that depends on state changes with it; a flow returning a frontend alone gets one tab", async () => {
    const dir = frontendDir();
    class Root extends L.LightningFlow {
      links: string[] = [];
      run() {}
      override configureLayout() {
        return this.links.length ? this.links.map((url, i) => ({ name: `Link ${i}`, content: url })) : (new L.StaticWebFrontend(dir) as unknown as L.LayoutTab);
      }
    }
    served = await serveApp(new L.LightningApp(new Root()));
    expect((await get(`${served.url}/api/v1/layout`)).body.tabs).toEqual([{ name: "root", kind: "frontend", flow: "root", url: "/frontends/root/0/" }]);
    served.engine.applyDelta([{ op: "add", path: "/components/root/vars/links/-", value: "http://127.0.0.1:1/a" }]);
    expect((await get(`${served.url}/api/v1/layout`)).body.tabs).toEqual([{ name: "Link 0", kind: "url", url: "http://127.0.0.1:1/a" }]);
  });
});

describe("configureLayout() URLs", () => {
  test("only http: and https: URLs and the app's own paths are tabs; others are refused with the reason", async () => {
    class Root extends L.LightningFlow {
      server = new Server1();
      run() {}
      override configureLayout() {
        return [
          { name: "Web", content: "https://example.com/a" },
          { name: "Own", content: "/frontends/root/0/" },
          { name: "Script", content: "javascript:alert(document.cookie)" },
          { name: "Spaced", content: "  JavaScript:alert(1)" },
          { name: "Data", content: "data:text/html,<script>alert(1)</script>" },
          { name: "File", content: "file:///etc/passwd" },
          { name: "Server", content: this.server },
        ];
      }
    }
    served = await serveApp(new L.LightningApp(new Root()));
    // the URL a work's runner reports is held to the same rule
    served.engine.work("root.server")!.servedUrl = "javascript:alert(1)";
    const tabs = (await get(`${served.url}/api/v1/layout`)).body.tabs;
    expect(tabs.slice(0, 2)).toEqual([
      { name: "Web", kind: "url", url: "https://example.com/a" },
      { name: "Own", kind: "url", url: "/frontends/root/0/" },
    ]);
    for (const [i, name] of ["Script", "Spaced", "Data", "File", "Server"].entries()) {
      const tab = tabs[i + 2];
      expect(tab, name).toEqual({ name, kind: "invalid", message: expect.stringContaining(`root.configureLayout(): tab "${name}" is not shown`) });
      expect(tab.message).toContain("is not an http: or https: address or a path of the app");
    }
    expect(tabs[6].message).toContain('the URL of root.server, "javascript:alert(1)"');
  });
});
