/**
 * The built site in headless chromium, as a reader sees it: build it, serve the built files on
 * 127.0.0.1, open every page, and check that no page logs an error, every link within the site
 * answers (and its #anchor is on the page), the search finds "schedule", the UI's screenshots load,
 * and every page is usable at a phone's width (no sideways scrolling, the menu within reach).
 * With LIT_SCREENSHOTS=1 (`npm run screenshots`) it also saves the home page as public/screenshots/home.png.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser, screenshotPath } from "../../../packages/server/src/test-support/browser.ts";
import { buildSite } from "./test-support/build-site.ts";
import { serveStatic, type StaticSite } from "./test-support/static-server.ts";

const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 800 };

let out: string;
let site: StaticSite;
let browser: Browser;
let pages: string[];

/** The URL paths of the built pages (`/`, `/guide/06-schedule.html`, ...), the 404 page left out. */
function builtPages(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".html") && path !== join(dir, "404.html")) found.push(`/${relative(dir, path)}`.replace(/(^|\/)index\.html$/, "$1"));
    }
  };
  walk(dir);
  return found.sort();
}

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), "lit-docs-site-"));
  const times = await buildSite(out);
  console.log(`docs build: reference ${times.reference.toFixed(1)} s, vitepress ${times.vitepress.toFixed(1)} s`);
  pages = builtPages(out);
  site = await serveStatic(out);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Opens `path` in a new page, collecting what the page logs as errors. */
async function open(path: string, viewport = DESKTOP): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  // An error, or Vue's warning that says where the page's HTML and what the browser rendered differ.
  page.on("console", (m) => (m.type() === "error" || /^\[Vue warn\]: Hydration/.test(m.text())) && errors.push(`${m.text()} (${m.location().url})`));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  const response = await page.goto(`${site.url}${path}`, { waitUntil: "load" });
  expect(response?.status(), path).toBe(200);
  return { page, errors };
}

describe("the docs site", () => {
  it("has the home page, the guide and the reference", () => {
    expect(pages).toContain("/");
    expect(pages.filter((p) => p.startsWith("/guide/")).length).toBeGreaterThan(0);
    for (const p of ["/reference/", "/reference/api/", "/reference/cli.html", "/reference/rest.html", "/reference/benchmarks.html"]) expect(pages).toContain(p);
  });

  it("opens every page: no error, the UI's screenshots load, usable at a phone's width, and every link within the site leads to a page and its anchor", async () => {
    const links = new Map<string, string>(); // link → a page that has it
    const problems: string[] = [];
    const shots: string[] = [];
    for (const path of pages) {
      const { page, errors } = await open(path);
      const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => (a as HTMLAnchorElement).href));
      for (const href of hrefs) if (href.startsWith(site.url) && !links.has(href)) links.set(href, path);
      const images = await page.$$eval("img", async (imgs) => {
        const screenshots = (imgs as HTMLImageElement[]).filter((i) => new URL(i.src).pathname.startsWith("/screenshots/"));
        for (const img of screenshots) {
          img.loading = "eager";
          await img.decode().catch(() => undefined);
        }
        return screenshots.map((i) => ({ src: new URL(i.src).pathname, width: i.naturalWidth }));
      });
      for (const img of images) {
        if (img.width > 0) shots.push(`${path}: ${img.src}`);
        else problems.push(`${path}: the screenshot ${img.src} does not load`);
      }
      // At a phone's width: nothing wider than the screen, and the menu button shows.
      await page.setViewportSize(PHONE);
      await page.waitForFunction((w) => window.innerWidth === w, PHONE.width);
      const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
      if (scrollWidth > innerWidth) problems.push(`${path}: ${scrollWidth} px wide at ${innerWidth} px`);
      if (!(await page.locator(".VPNavBarHamburger").isVisible())) problems.push(`${path}: no menu button at ${PHONE.width} px`);
      problems.push(...errors.map((e) => `${path}: ${e}`));
      await page.close();
    }
    const texts = new Map<string, { status: number; text: string }>();
    for (const [href, from] of links) {
      const url = new URL(href);
      let answer = texts.get(url.pathname);
      if (!answer) {
        const response = await fetch(`${site.url}${url.pathname}`);
        answer = { status: response.status, text: await response.text() };
        texts.set(url.pathname, answer);
      }
      if (answer.status !== 200) problems.push(`${from}: the link ${url.pathname} answers ${answer.status}`);
      else if (url.hash.length > 1 && !answer.text.includes(`id="${decodeURIComponent(url.hash.slice(1))}"`)) problems.push(`${from}: ${url.pathname} has no anchor ${url.hash}`);
    }
    expect(problems).toEqual([]);
    expect(links.size).toBeGreaterThan(pages.length);
    // The home page and the guide's pages about the UI show screenshots.
    expect(shots.some((s) => s.startsWith("/: "))).toBe(true);
    expect(shots.filter((s) => s.startsWith("/guide/")).length).toBeGreaterThan(0);
  }, 600_000);

  it('the search finds "schedule" and leads to the guide', async () => {
    const { page, errors } = await open("/");
    await page.locator(".VPNavBarSearch button").click();
    const input = page.locator("#localsearch-input");
    await input.fill("schedule");
    const results = page.locator(".VPLocalSearchBox .results a");
    await expect.poll(() => results.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    const found = await results.evaluateAll((as) => as.map((a) => ({ href: (a as HTMLAnchorElement).pathname, text: a.textContent ?? "" })));
    expect(found.some((r) => r.href.startsWith("/guide/") && /schedule/i.test(r.text)), JSON.stringify(found)).toBe(true);
    await results.first().click();
    await page.waitForURL((url) => url.pathname !== "/");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("at a phone's width, the menu opens and leads to the reference", async () => {
    const { page, errors } = await open("/", PHONE);
    await page.locator(".VPNavBarHamburger").click();
    const screen = page.locator(".VPNavScreen");
    await expect.poll(() => screen.isVisible()).toBe(true);
    await screen.getByRole("link", { name: "Reference" }).click();
    await page.waitForURL((url) => url.pathname === "/reference/");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("the home page, as the repository's README shows it", async () => {
    const { page, errors } = await open("/");
    await page.waitForLoadState("networkidle");
    expect(await page.locator(".VPHero .name").textContent()).toContain("lit-app");
    const file = screenshotPath("home.png");
    await page.screenshot({ path: file });
    expect(errors).toEqual([]);
    await page.close();
  });
});
