import * as L from "@lit-app/core";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, screenshotPath } from "../test-support/browser.ts";
import { serveApp, type ServedApp } from "../test-support/serve-app.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

class Step extends L.LightningWork {
  step = 0;
  async run(n: number) {
    this.step = n;
  }
}
class Train extends L.LightningFlow {
  go = 0;
  prepare = new Step({ cloudCompute: new L.CloudCompute("cpu-small") });
  train = new Step({ cloudCompute: new L.CloudCompute("gpu") });
  run() {
    if (this.go === 0) return;
    this.prepare.run(this.go);
    this.train.run(this.go);
  }
}

test("look", async () => {
  const served: ServedApp = await serveApp(new L.LightningApp(new Train(), { name: "train" }));
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  page.on("console", (m) => console.log("console:", m.text()));
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
  await page.goto(served.url);
  await page.waitForSelector(".node");
  served.executor.log("root.prepare", "reading 1,204 files");
  await page.screenshot({ path: "/tmp/ui1.png" });
  served.runtime.applyDelta([{ op: "replace", path: "/components/root/vars/go", value: 1 }]);
  await page.waitForTimeout(500);
  await page.click("text=Logs");
  await page.waitForTimeout(200);
  await page.screenshot({ path: "/tmp/ui2.png" });
  expect(1).toBe(1);
  await served.stop();
});
