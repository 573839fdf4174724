// End to end: the notebooks example (examples/notebooks) in headless chromium.
import * as L from "@lit-app/core";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { NotebookManager } from "../../../examples/notebooks/app.ts";
import { launchBrowser, screenshotPath } from "./test-support/browser.ts";
import { serveApp, tempLitHome } from "./test-support/serve-app.ts";

const run = promisify(execFile);
const COMMAND = fileURLToPath(new URL("./test-support/command-process.ts", import.meta.url));

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => browser?.close());

const rows = (page: Page) => page.locator("#list tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(1, 5).map((td) => td.textContent)));

async function create(page: Page, username: string, gpu: boolean): Promise<void> {
  await page.fill("#username", username);
  await page.setChecked("#gpu", gpu);
  await page.click('button[type="submit"]');
}

test("notebooks: create two from the page, open one's page, stop one, and the list follows", async () => {
  const home = tempLitHome();
  const served = await serveApp(new L.LightningApp(new NotebookManager(), { name: "notebooks" }));
  const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
  page.setDefaultTimeout(5000);
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    const layout = await (await fetch(`${served.url}/api/v1/layout`)).json();
    expect(layout.tabs).toEqual([{ name: "Notebooks", kind: "frontend", flow: "root", url: "/frontends/root/0/" }]);
    await page.goto(served.url + layout.tabs[0].url);
    await expect.poll(() => page.locator("#empty").isVisible()).toBe(true);

    await create(page, "alice", true);
    await create(page, "bob", false);
    await expect.poll(() => rows(page)).toEqual([
      ["alice", "gpu", "running", "open"],
      ["bob", "cpu-small", "running", "open"],
    ]);
    const doc = served.engine.stateDocument();
    expect(doc.components["root.notebooks.alice"]).toMatchObject({ kind: "work", compute: { name: "gpu" }, status: { stage: "running" } });
    expect(doc.components["root.notebooks.bob"]).toMatchObject({ compute: { name: "cpu-small" } });

    const [alicePage] = await Promise.all([page.context().waitForEvent("page"), page.click('tr[data-user="alice"] a')]);
    await alicePage.waitForLoadState();
    expect(await alicePage.locator("h1").textContent()).toBe("alice's notebook");
    expect(await alicePage.locator("p").textContent()).toBe("Served by the work root.notebooks.alice on gpu.");
    await alicePage.close();

    await create(page, "alice", false);
    expect(await page.locator("#error").textContent()).toBe("alice already has a notebook.");
    await page.screenshot({ path: screenshotPath("notebooks.png") });

    const bobUrl = (served.engine.stateDocument().components.root!.vars.requests as { username: string; url: string }[]).find((r) => r.username === "bob")!.url;
    expect((await fetch(bobUrl)).status).toBe(200);
    await page.click('tr[data-user="bob"] button.stop');
    await expect.poll(() => rows(page)).toEqual([["alice", "gpu", "running", "open"]]);
    await expect.poll(() => served.engine.stateDocument().components["root.notebooks.bob"]!.status!.stage).toBe("stopped");
    await expect.poll(() => fetch(bobUrl).then(() => "serving", () => "closed")).toBe("closed");

    // the same app from a terminal: lit add-notebook --username carol
    const { stdout } = await run(process.execPath, ["--import", "tsx", COMMAND, "add-notebook", "--username", "carol"], { env: { ...process.env, LIT_HOME: home } });
    expect(JSON.parse(stdout)).toEqual({ result: "notebook for carol requested on a CPU" });
    await expect.poll(() => rows(page)).toEqual([
      ["alice", "gpu", "running", "open"],
      ["carol", "cpu-small", "running", "open"],
    ]);

    // the app's UI shows the page in its Notebooks tab, and a tab per running notebook
    const ui = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await ui.goto(served.url);
    await expect.poll(() => ui.locator(".tab").allTextContents()).toEqual(["Notebooks", "alice", "carol", "State", "Logs"]);
    await expect.poll(() => ui.frameLocator('iframe[data-testid="tab-frame"]').locator("#list tr").count()).toBe(2);
    await ui.screenshot({ path: screenshotPath("ui-notebooks.png") });
    await ui.click('.tab[data-tab="carol"]');
    await expect.poll(() => ui.frameLocator('iframe[data-testid="tab-frame"]').locator("h1").textContent()).toBe("carol's notebook");
    await ui.close();
    expect(errors).toEqual([]);
  } finally {
    await page.close();
    await served.stop();
  }
});
