import * as L from "@lit-app/core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, screenshotPath } from "../test-support/browser.ts";
import { post } from "../test-support/http.ts";
import { serveApp, until, type ServedApp } from "../test-support/serve-app.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

/** Calls of works wait here until the test lets them finish. */
const gates = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
function release(name: string, error?: Error): void {
  const gate = gates.get(name);
  if (!gate) throw new Error(`${name} is not waiting`);
  gates.delete(name);
  if (error) gate.reject(error);
  else gate.resolve();
}

class Step extends L.LightningWork {
  progress = 0;
  async run() {
    this.progress = 50;
    await new Promise<void>((resolve, reject) => gates.set(this.name, { resolve, reject }));
    this.progress = 100;
  }
}

function reportDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lit-report-"));
  writeFileSync(join(dir, "index.html"), `<!doctype html><body style="font:15px system-ui;padding:24px"><h1>Training report</h1><p id="msg">loss 0.042</p>`);
  return dir;
}

class Pipeline extends L.LightningFlow {
  go = false;
  prepare = new Step({ cloudCompute: new L.CloudCompute("cpu-small") });
  train = new Step({ cloudCompute: new L.CloudCompute("gpu") });
  evaluate = new Step({ cloudCompute: new L.CloudCompute("cpu"), raiseException: false });
  private readonly _dir = reportDir();
  run() {
    if (!this.go) return;
    this.prepare.run();
    this.train.run();
    this.evaluate.run();
  }
  override configureLayout() {
    return [
      { name: "Report", content: new L.StaticWebFrontend(this._dir) },
      { name: "Trainer", content: this.train },
    ];
  }
}

const chip = (page: Page, name: string) => page.locator(`.node[data-name="${name}"] .chip`);

describe("the UI", () => {
  test("shows the component tree with compute, and statuses, logs and the app's stage as they change", async () => {
    const served: ServedApp = await serveApp(new L.LightningApp(new Pipeline(), { name: "pipeline" }));
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.setDefaultTimeout(4000);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    try {
      await page.goto(served.url);
      await expect.poll(() => page.locator(".node").evaluateAll((els) => els.map((e) => e.getAttribute("data-name")))).toEqual([
        "root",
        "root.evaluate",
        "root.prepare",
        "root.train",
      ]);
      expect(await page.locator("#app-name").textContent()).toBe("pipeline");
      expect(await page.locator("#stage").textContent()).toBe("running");
      expect(await page.locator('.node[data-name="root.train"] .badge').first().textContent()).toBe("gpu");
      expect(await page.locator('.node[data-name="root.prepare"] .badge').textContent()).toBe("cpu-small");
      // A work on one of the user's machines shows its host and the GPU it holds there.
      served.executor.report({ type: "placed", work: "root.train", host: "gpu-box", gpus: ["GPU-5f1c"] });
      await expect.poll(() => page.locator('.node[data-name="root.train"] .badge.host').textContent()).toBe("@gpu-box");
      expect(await page.locator('.node[data-name="root.prepare"] .badge.host').count()).toBe(0);
      expect(await chip(page, "root.prepare").textContent()).toBe("not started");

      await page.click('.tab[data-tab="State"]');
      await page.click('.node[data-name="root"]');
      served.engine.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: true }]);
      await expect.poll(() => chip(page, "root.prepare").textContent()).toBe("running");
      await expect.poll(() => page.locator(".panel pre.json").textContent()).toContain('"go": true');
      expect(await chip(page, "root.train").textContent()).toBe("not started");

      served.executor.log("root.prepare", "reading 1,204 images");
      served.executor.log("root.train", "loading the model");
      release("root.prepare");
      await expect.poll(() => chip(page, "root.prepare").textContent()).toBe("succeeded");
      await expect.poll(() => chip(page, "root.train").textContent()).toBe("running");
      served.executor.log("root.train", "epoch 1/3 loss=0.412");
      served.executor.log("root.train", "epoch 2/3 loss=0.127");

      await page.click('.node[data-name="root.train"]');
      await expect.poll(() => page.locator(".panel .card-head h3").textContent()).toBe("root.train");
      await expect.poll(() => page.locator(".panel pre.json").textContent()).toContain('"progress": 50');
      expect(await page.locator(".panel dl.meta").textContent()).toContain("hostgpu-box · GPU GPU-5f1c");
      await page.screenshot({ path: screenshotPath("ui-state.png") });

      await page.click('.tab[data-tab="Logs"]');
      await page.selectOption('select[aria-label="component"]', "root.train");
      await expect.poll(() => page.locator(".log .line").allTextContents()).toEqual(["loading the model", "epoch 1/3 loss=0.412", "epoch 2/3 loss=0.127"]);
      served.executor.log("root.train", "epoch 3/3 loss=0.042");
      served.executor.log("root.prepare", "not shown under root.train");
      await expect.poll(() => page.locator(".log .line").last().textContent()).toBe("epoch 3/3 loss=0.042");
      await page.selectOption('select[aria-label="component"]', "");
      await expect.poll(() => page.locator(".log .line").count()).toBe(6);
      await page.screenshot({ path: screenshotPath("ui-logs.png") });

      release("root.train");
      await expect.poll(() => chip(page, "root.train").textContent()).toBe("succeeded");
      await expect.poll(() => chip(page, "root.evaluate").textContent()).toBe("running");
      release("root.evaluate", new Error("accuracy below 0.9"));
      await expect.poll(() => chip(page, "root.evaluate").textContent()).toBe("failed");
      await page.click('.tab[data-tab="State"]');
      await page.click('.node[data-name="root.evaluate"]');
      await expect.poll(() => page.locator(".panel .message").textContent()).toBe("accuracy below 0.9");
      expect(await page.locator("#summary").textContent()).toBe("3 works · 0 running");

      await page.click('.tab[data-tab="Report"]');
      await expect.poll(() => page.frameLocator('iframe[data-testid="tab-frame"]').locator("#msg").textContent()).toBe("loss 0.042");
      await page.click('.tab[data-tab="Trainer"]');
      await expect.poll(() => page.locator(".panel .empty").textContent()).toContain("root.train does not serve a page yet");

      void served.engine.stop("finished");
      await expect.poll(() => page.locator("#stage").textContent()).toBe("stopped");
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await served.stop();
    }
  });

  test("a page opened with ?token= works on a server that needs a token", async () => {
    const served = await serveApp(new L.LightningApp(new Pipeline()), { listen: "0.0.0.0", print: () => {} });
    const page = await browser.newPage();
    try {
      const denied = await page.goto(served.url);
      expect(denied?.status()).toBe(401);
      await page.goto(`${served.url}/?token=${served.server.token}`);
      await expect.poll(() => page.locator(".node").count()).toBe(4);
      await expect.poll(() => page.locator("#conn").textContent()).toBe("live");
      await page.click('.tab[data-tab="Report"]');
      await expect.poll(() => page.frameLocator('iframe[data-testid="tab-frame"]').locator("h1").textContent()).toBe("Training report");
    } finally {
      await page.close();
      await served.stop();
    }
  });
});

class Idle extends L.LightningWork {
  run() {}
}

/** A flow whose layout embeds a URL from its state, as the notebooks example does with each notebook's page. */
class Links extends L.LightningFlow {
  link = "";
  note = "";
  helper = new Idle();
  private readonly _dir = reportDir();
  run() {}
  override configureLayout() {
    const tabs: L.LayoutTab[] = [{ name: "Report", content: new L.StaticWebFrontend(this._dir) }];
    if (this.link) tabs.push({ name: "Page", content: this.link });
    return tabs;
  }
}

describe("the UI runs no script from the app's state", () => {
  test("a tab whose URL a client set to javascript:, data: and the like is refused visibly, and nothing runs", async () => {
    const served = await serveApp(new L.LightningApp(new Links()));
    const page = await browser.newPage();
    page.setDefaultTimeout(4000);
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const marker = () => page.evaluate(() => [document.title, (window as { pwned?: unknown }).pwned ?? null]);
    try {
      await page.goto(served.url);
      await expect.poll(() => page.locator(".node").count()).toBe(2);
      const title = await page.title();
      const attacks = [
        "javascript:void(top.document.title='pwned',top.pwned=1)",
        " JaVaScRiPt:void(top.document.title='pwned',top.pwned=1)",
        "java\tscript:void(top.document.title='pwned',top.pwned=1)",
        "data:text/html,<script>top.document.title='pwned';top.pwned=1</script>",
        "vbscript:msgbox(1)",
      ];
      for (const [i, link] of attacks.entries()) {
        // through the state API, as any client of the app may
        const res = await post(`${served.url}/api/v1/delta`, { patch: [{ op: "replace", path: "/components/root/vars/link", value: link }] });
        expect(res.status).toBe(200);
        // the UI looks at the layout again after a change; a different tab in between shows the new one
        await page.click('.tab[data-tab="State"]');
        await until(async () => (await page.locator('.tab[data-tab="Page"]').count()) === 1, "the Page tab");
        await expect.poll(async () => (await (await fetch(`${served.url}/api/v1/layout`)).json()).tabs[1].kind).toBe("invalid");
        await new Promise((r) => setTimeout(r, 400));
        await page.click('.tab[data-tab="Page"]');
        await expect.poll(() => page.locator(".panel .message").textContent(), { message: link }).toContain('tab "Page" is not shown');
        expect(await page.locator(".panel iframe").count(), link).toBe(0);
        await new Promise((r) => setTimeout(r, 200));
        expect(await marker(), link).toEqual([title, null]);
        if (i === 0) await page.screenshot({ path: screenshotPath("ui-refused-url.png") });
      }

      // an http(s) page is embedded, sandboxed; the app's own frontend keeps the app's origin, other pages their own
      await post(`${served.url}/api/v1/delta`, { patch: [{ op: "replace", path: "/components/root/vars/link", value: "http://127.0.0.1:9/page" }] });
      await page.click('.tab[data-tab="State"]');
      await new Promise((r) => setTimeout(r, 400));
      await page.click('.tab[data-tab="Page"]');
      const sandbox = (await page.locator('iframe[data-testid="tab-frame"]').getAttribute("sandbox"))!.split(" ");
      expect(await page.locator('iframe[data-testid="tab-frame"]').getAttribute("src")).toBe("http://127.0.0.1:9/page");
      expect(sandbox).toEqual(expect.arrayContaining(["allow-scripts", "allow-same-origin", "allow-forms", "allow-popups"]));
      expect(sandbox).not.toContain("allow-top-navigation");
      await page.click('.tab[data-tab="Report"]');
      await expect.poll(() => page.frameLocator('iframe[data-testid="tab-frame"]').locator("#msg").textContent()).toBe("loss 0.042");
      expect(await page.locator('iframe[data-testid="tab-frame"]').getAttribute("sandbox")).toContain("allow-same-origin");

      // a path of the app that is not one of its frontends runs in an opaque origin
      await post(`${served.url}/api/v1/delta`, { patch: [{ op: "replace", path: "/components/root/vars/link", value: "/api/v1/state" }] });
      await page.click('.tab[data-tab="State"]');
      await new Promise((r) => setTimeout(r, 400));
      await page.click('.tab[data-tab="Page"]');
      expect(await page.locator('iframe[data-testid="tab-frame"]').getAttribute("src")).toBe(`${served.url}/api/v1/state`);
      expect(await page.locator('iframe[data-testid="tab-frame"]').getAttribute("sandbox")).not.toContain("allow-same-origin");
      expect(await marker()).toEqual([title, null]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await served.stop();
    }
  });

  test("state strings show as text, and the UI's policy forbids inline script", async () => {
    const served = await serveApp(new L.LightningApp(new Links()));
    const page = await browser.newPage();
    page.setDefaultTimeout(4000);
    const html = `<img src=x onerror="top.document.title='pwned';top.pwned=1"><script>top.pwned=1</script>`;
    try {
      const res = await page.goto(served.url);
      const policy = res!.headers()["content-security-policy"]!;
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toContain("unsafe-inline");
      // error pages run nothing; the app's static frontends (its author's pages) may only be framed by the app
      const missing = await fetch(`${served.url}/ui/nothing-here.html`);
      expect([missing.status, missing.headers.get("content-security-policy")]).toEqual([404, "default-src 'none'; frame-ancestors 'self'"]);
      const frontend = await fetch(`${served.url}/frontends/root/0/`);
      expect([frontend.status, frontend.headers.get("content-security-policy")]).toEqual([200, "frame-ancestors 'self'"]);
      await expect.poll(() => page.locator(".node").count()).toBe(2);
      await post(`${served.url}/api/v1/delta`, { patch: [{ op: "replace", path: "/components/root/vars/note", value: html }] });
      served.executor.log("root.helper", html);
      await page.click('.tab[data-tab="State"]');
      await page.click('.node[data-name="root"]');
      await expect.poll(() => page.locator(".panel pre.json").textContent()).toContain(JSON.stringify(html).slice(1, 40));
      await page.click('.tab[data-tab="Logs"]');
      await expect.poll(() => page.locator(".log .line").last().textContent()).toBe(html);
      expect(await page.locator("main img").count()).toBe(0);
      // a script the page did not load from the app's files does not run, whoever inserts it
      await page.evaluate(() => {
        const s = document.createElement("script");
        s.textContent = "window.pwned = 1";
        document.head.append(s);
      });
      await new Promise((r) => setTimeout(r, 200));
      expect(await page.evaluate(() => [document.title.includes("pwned"), (window as { pwned?: unknown }).pwned ?? null])).toEqual([false, null]);
      await expect.poll(() => page.locator("#conn").textContent()).toBe("live");
    } finally {
      await page.close();
      await served.stop();
    }
  });
});
