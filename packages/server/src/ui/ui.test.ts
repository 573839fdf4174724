import * as L from "@lit-app/core";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { launchBrowser, screenshotPath } from "../test-support/browser.ts";
import { serveApp, type ServedApp } from "../test-support/serve-app.ts";

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
      expect(await page.locator('.node[data-name="root.train"] .badge').textContent()).toBe("gpu");
      expect(await page.locator('.node[data-name="root.prepare"] .badge').textContent()).toBe("cpu-small");
      expect(await chip(page, "root.prepare").textContent()).toBe("not started");

      await page.click('.tab[data-tab="State"]');
      await page.click('.node[data-name="root"]');
      served.runtime.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: true }]);
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

      void served.runtime.stop("finished");
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
