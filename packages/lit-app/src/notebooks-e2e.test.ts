// End to end, as a user runs it: `lit run examples/notebooks/app.ts` in a child process on Node,
// its UI in headless chromium, `lit <command>` from second processes, a second app beside it,
// and Ctrl-C. A private LIT_HOME keeps other apps on this machine out of the way.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { promisify } from "node:util";
import { chromium, type Browser, type FrameLocator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { descendants, example, isAlive, REPO, startApp, type AppProcess } from "./test-support/app-process.ts";

const execFileAsync = promisify(execFile);
const LIT = join(REPO, "packages", "lit-app", "bin", "lit.mjs");
const UI_LINE = /^\[lit-app\] the app's UI: (http:\/\/127\.0\.0\.1:(\d+))$/;
const POLL = { timeout: 30_000, interval: 200 };

const home = mkdtempSync(join(tmpdir(), "lit-notebooks-e2e-"));
const apps: AppProcess[] = [];
/** Every process seen below an app while it ran. */
const seenChildren = new Set<number>();
let browser: Browser;
let app: AppProcess;
let appUrl: string;
let appPort: number;
let ui: Page;
let pageErrors: string[] = [];

/** Runs `lit <args>` as a second process, as a user would from another terminal. */
async function lit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith("VITEST")) env[key] = value;
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [LIT, ...args], {
      cwd: REPO,
      env: { ...env, NO_COLOR: "1", LIT_HOME: home },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

async function startNotebooks(): Promise<{ process: AppProcess; url: string; port: number }> {
  const started = startApp("node", example("notebooks"), { env: { LIT_HOME: home } });
  apps.push(started);
  const line = await started.waitFor(UI_LINE, 60_000);
  const [, url, port] = UI_LINE.exec(line.text)!;
  return { process: started, url: url!, port: Number(port) };
}

function noteChildren(of: AppProcess): void {
  for (const pid of descendants(of.pid)) seenChildren.add(pid);
}

/** Processes anywhere on the machine started with this test's LIT_HOME (the apps and whatever they started). */
function processesWithHome(): number[] {
  const marker = `LIT_HOME=${home}\0`;
  const out: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || !isAlive(Number(entry))) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, "latin1").includes(marker)) out.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

const frame = (): FrameLocator => ui.frameLocator('iframe[data-testid="tab-frame"]');
/** The notebooks page's rows: user, hardware, status, page link. */
const rows = () =>
  frame()
    .locator("#list tr")
    .evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll("td")).slice(1, 5).map((td) => td.textContent)));
const treeNode = (name: string) => ui.locator(`.node[data-name="${name}"]`);
const tabs = () => ui.locator(".tab").allTextContents();

async function create(username: string, gpu: boolean): Promise<void> {
  await frame().locator("#username").fill(username);
  await frame().locator("#gpu").setChecked(gpu);
  await frame().locator('button[type="submit"]').click();
}

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  ({ process: app, url: appUrl, port: appPort } = await startNotebooks());
}, 90_000);

afterAll(async () => {
  await ui?.close().catch(() => undefined);
  await browser?.close();
  for (const a of apps) a.kill();
  await Promise.all(apps.map((a) => a.exited));
  rmSync(home, { recursive: true, force: true });
});

describe("the notebooks example under `lit run` on Node", () => {
  test("its UI creates two notebooks, opens one's page, stops one, and shows the works with their compute", async () => {
    expect(readdirSync(join(home, "apps"))).toEqual([`${app.pid}-${appPort}.json`]);
    ui = await browser.newPage({ viewport: { width: 1280, height: 760 } });
    ui.setDefaultTimeout(15_000);
    pageErrors = [];
    ui.on("pageerror", (e) => pageErrors.push(e.message));
    await ui.goto(appUrl);
    await expect.poll(() => ui.locator("#app-name").textContent(), POLL).toBe("notebooks");
    await expect.poll(() => ui.locator("#stage").textContent(), POLL).toBe("running");
    await expect.poll(tabs, POLL).toEqual(["Notebooks", "State", "Logs"]);
    await ui.click('.tab[data-tab="Notebooks"]');
    await expect.poll(() => frame().locator("#empty").isVisible(), POLL).toBe(true);

    await create("alice", true);
    await create("bob", false);
    await expect.poll(rows, POLL).toEqual([
      ["alice", "gpu", "running", "open"],
      ["bob", "cpu-small", "running", "open"],
    ]);
    noteChildren(app);
    await expect.poll(tabs, POLL).toEqual(["Notebooks", "alice", "bob", "State", "Logs"]);

    // the component tree: the manager, and each notebook as a running work on the compute asked for
    expect(await treeNode("root.notebooks.alice").locator(".badge").textContent()).toBe("gpu");
    expect(await treeNode("root.notebooks.bob").locator(".badge").textContent()).toBe("cpu-small");
    await expect.poll(() => treeNode("root.notebooks.alice").locator(".chip").textContent(), POLL).toBe("running");
    await expect.poll(() => treeNode("root.notebooks.bob").locator(".chip").textContent(), POLL).toBe("running");
    expect(await ui.locator(".node").evaluateAll((els) => els.map((e) => e.getAttribute("data-name")))).toEqual([
      "root",
      "root.notebooks.alice",
      "root.notebooks.bob",
    ]);

    // alice's link opens her notebook, served by her work
    const [alicePage] = await Promise.all([ui.context().waitForEvent("page"), frame().locator('tr[data-user="alice"] a').click()]);
    await alicePage.waitForLoadState();
    expect(await alicePage.locator("h1").textContent()).toBe("alice's notebook");
    expect(await alicePage.locator("p").textContent()).toBe("Served by the work root.notebooks.alice on gpu.");
    await alicePage.close();

    // stopping bob: the list, the tabs and the tree follow, and his page stops serving
    const bobUrl = await frame().locator('tr[data-user="bob"] a').getAttribute("href");
    expect((await fetch(bobUrl!)).status).toBe(200);
    await frame().locator('tr[data-user="bob"] button.stop').click();
    await expect.poll(rows, POLL).toEqual([["alice", "gpu", "running", "open"]]);
    await expect.poll(() => treeNode("root.notebooks.bob").locator(".chip").textContent(), POLL).toBe("stopped");
    await expect.poll(() => fetch(bobUrl!).then(() => "serving", () => "closed"), POLL).toBe("closed");
    await expect.poll(tabs, POLL).toEqual(["Notebooks", "alice", "State", "Logs"]);
    expect(app.output()).toMatch(/notebook for bob serves http:\/\/127\.0\.0\.1:\d+\//);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test("`lit add-notebook` and `lit list-notebooks` from other processes reach it, and the UI shows the new notebook", async () => {
    const added = await lit("add-notebook", "--username", "dave");
    expect(added).toMatchObject({ code: 0, stdout: "notebook for dave requested on a CPU\n" });
    await expect.poll(rows, POLL).toEqual([
      ["alice", "gpu", "running", "open"],
      ["dave", "cpu-small", "running", "open"],
    ]);
    await expect.poll(() => treeNode("root.notebooks.dave").locator(".chip").textContent(), POLL).toBe("running");
    expect(await treeNode("root.notebooks.dave").locator(".badge").textContent()).toBe("cpu-small");
    noteChildren(app);

    const listed = await lit("list-notebooks");
    expect(listed.code).toBe(0);
    const notebooks = JSON.parse(listed.stdout) as { username: string; useGpu: boolean; url: string }[];
    expect(notebooks).toEqual([
      { username: "alice", useGpu: true, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) },
      { username: "dave", useGpu: false, url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/) },
    ]);
    const davePage = await (await fetch(notebooks[1]!.url)).text();
    expect(davePage).toContain("<h1 style=\"font-size:22px\">dave's notebook</h1>");
    expect(davePage).toContain("root.notebooks.dave</code> on <code>cpu-small");

    // a second notebook for dave is refused with the app's message
    const again = await lit("add-notebook", "--username", "dave");
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("dave already has a notebook; stop it first");
    expect(pageErrors).toEqual([]);
  }, 120_000);

  test("a second app started while the first holds its port serves on another port", async () => {
    const second = await startNotebooks();
    expect(second.port).not.toBe(appPort);
    expect(readdirSync(join(home, "apps")).sort()).toEqual([`${app.pid}-${appPort}.json`, `${second.process.pid}-${second.port}.json`].sort());
    // both answer, each with its own notebooks: --app chooses by port
    expect(JSON.parse((await lit("list-notebooks", "--app", String(second.port))).stdout)).toEqual([]);
    expect(JSON.parse((await lit("list-notebooks", "--app", String(appPort))).stdout)).toHaveLength(2);

    second.process.child.kill("SIGINT");
    expect(await second.process.done(30_000)).toMatchObject({ code: 0 });
    expect(readdirSync(join(home, "apps"))).toEqual([`${app.pid}-${appPort}.json`]);
  }, 120_000);

  test("Ctrl-C ends it: it exits, removes its discovery file and leaves no process behind", async () => {
    const discovery = join(home, "apps", `${app.pid}-${appPort}.json`);
    expect(existsSync(discovery)).toBe(true);
    noteChildren(app);
    expect(processesWithHome()).toContain(app.pid); // the check below sees the app's processes
    await ui.close();
    app.child.kill("SIGINT");
    const exit = await app.done(30_000);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(app.output("stderr")).not.toMatch(/\bfailed\b/);
    expect(existsSync(discovery)).toBe(false);
    expect([...seenChildren].filter(isAlive)).toEqual([]);
    expect(processesWithHome()).toEqual([]);
    await expect(fetch(appUrl)).rejects.toThrow();
  }, 60_000);
});
