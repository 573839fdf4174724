/**
 * `lit ui`, app commands of a deployed app and `lit deploy --public`, end to
 * end on the test hosts: the app deployed to gpu-box, `lit` on the laptop,
 * and headless chromium started in the laptop's network namespace (where the
 * tunnel listens) opening the URL `lit ui` prints.
 *
 * - Through the tunnel the UI shows the app's components with their statuses,
 *   and a change sent to its API (POST /api/v1/delta) reaches the deployed
 *   flow: its works start, and the page shows it live (its WebSocket).
 * - The flow killed and started again by its agent on a new port, the same
 *   `lit ui` reaches it there.
 * - A stopped app, or one whose host is cut off, is said so.
 * - `lit set-note --text …` runs the only deployed app's command, and
 *   `lit set-note --name <app> --text …` the named one's.
 * - Without `--public` the server answers on its host's loopback only: its
 *   port on gpu-box's address refuses connections.
 * - With `--public`, a request without the token is refused (401) and one
 *   with it answered; deploy, `lit status` and `lit ui` print the token, kept
 *   0600 on gpu-box; `--token` sets it (without `--public`, or too short, a
 *   usage error).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { shellQuote } from "@lit-app/ssh";
import { litOnLaptop, litToEnd, waitUntil as until, type CliRuntime, type LaptopRun } from "../test-support/remote-run.ts";

const th = useTestHosts({ hosts: [{ name: "gpu-box", runtime: "node" }] });

const APP = fileURLToPath(new URL("../../test/fixtures/deploy/ui/app.ts", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let runtime: CliRuntime = "node";

/** Runs `lit <args>` on the laptop (on the runtime under test) to its end. */
const lit = (args: string[], ms?: number) => litToEnd(th(), runtime, args, ms);

/** Ends a `lit ui` with SIGTERM; resolves to its exit code. */
async function closeUi(ui: LaptopRun): Promise<number | null> {
  ui.child.kill("SIGTERM");
  const exit = await Promise.race([ui.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`lit ui did not end on SIGTERM:\n${ui.text()}`)), 20_000).unref())]);
  return exit.code;
}

/** The app server's port on gpu-box, as its flow wrote it. */
const serverPort = async (name: string) => (JSON.parse(await th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/server.json`)) as { port: number }).port;

/** A request from the laptop's namespace; the body parsed as JSON when it is. */
async function get(url: string, token?: string) {
  const res = await th().laptop.fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = undefined;
  }
  return { status: res.status, json };
}


let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), "lit-ui-browser-"));
beforeAll(async () => {
  // Chromium in the laptop's namespace, where the tunnel listens: a wrapper that enters it.
  const c = th().laptop.command(CHROMIUM);
  const wrapper = join(dir, "chromium");
  writeFileSync(wrapper, `#!/bin/sh\nexec ${[c.file, ...c.args].map(shellQuote).join(" ")} "$@"\n`);
  chmodSync(wrapper, 0o755);
  browser = await chromium.launch({
    executablePath: wrapper,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each<CliRuntime>(["node", "bun"])("lit ui on %s", (cli) => {
  beforeAll(() => void (runtime = cli));

  it("opens a tunnel to the deployed app: chromium shows its components and their statuses live, a delta through it reaches the flow, and lit <command> --name runs the app's command; the server refuses gpu-box's own address", async () => {
    const name = `ui-${cli}`;
    const deployed = await lit(["deploy", APP, "--host", "gpu-box", "--name", name]);
    expect(deployed.code, deployed.text).toBe(0);
    expect(deployed.out).toContain(`  lit ui --name ${name}        its UI and API through an SSH tunnel`);
    expect(deployed.out.join("\n")).not.toContain("token");

    // Loopback only: gpu-box's address refuses connections to the app server's port.
    const port = await serverPort(name);
    await expect(th().laptop.fetch(`http://${th().host("gpu-box").address}:${port}/api/v1/state`, { timeoutMs: 5000 })).rejects.toThrow(/ECONNREFUSED|refused/);

    const ui = litOnLaptop(th(), runtime, ["ui", "--name", name]);
    try {
      const url = (await ui.waitFor(/^http:\/\/127\.0\.0\.1:\d+$/, 60_000)).text;
      const page = await browser.newPage();
      page.setDefaultTimeout(15_000);
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      try {
        await page.goto(url);
        const chip = (component: string) => page.locator(`.node[data-name="${component}"] .chip`).textContent();
        await expect.poll(() => page.locator(".node").evaluateAll((els) => els.map((e) => e.getAttribute("data-name"))), { timeout: 15_000 }).toEqual(["root", "root.prepare", "root.ticker"]);
        expect(await page.locator("#stage").textContent()).toBe("running");
        expect(await chip("root.prepare")).toBe("not started");
        expect(await chip("root.ticker")).toBe("not started");

        // A change through the tunnel's API reaches the deployed flow: it starts its works, and the page shows them live.
        const delta = await page.evaluate(async () => {
          const res = await fetch("/api/v1/delta", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ patch: [{ op: "replace", path: "/components/root/vars/go", value: true }] }) });
          return res.status;
        });
        expect(delta).toBeLessThan(300);
        await expect.poll(() => chip("root.prepare"), { timeout: 60_000 }).toBe("succeeded");
        await expect.poll(() => chip("root.ticker"), { timeout: 60_000 }).toBe("running");
        const log = await th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/flow.log`);
        expect(log).toContain("root.prepare | prepare ran");
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }

      // The deployed app's command, from the laptop with no app running there: the only deployed app's.
      const set = await lit(["set-note", "--text", "from the laptop"]);
      expect(set.code, set.text).toBe(0);
      expect(set.out).toEqual(["note set to from the laptop"]);
      const state = await get(`${url}/api/v1/state`);
      expect((state.json as { components: { root: { vars: { note: string } } } }).components.root.vars.note).toBe("from the laptop");
      // The flow killed: its agent starts it again, on a new port; the same tunnel finds it there.
      const before = JSON.parse(await th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/server.json`)) as { pid: number; port: number };
      await th().host("gpu-box").output(`kill -9 ${before.pid}`);
      await until("the flow to start again", async () => (await th().host("gpu-box").output(`cat ~/.lit/deployed/${name}/server.json`)).includes(`"port":`) && (await serverPort(name)) !== before.port);
      const resumed = await get(`${url}/api/v1/state`);
      expect(resumed.status).toBe(200);
      expect((resumed.json as { components: { root: { vars: { note: string } } } }).components.root.vars.note).toBe("from the laptop");
      // A command it does not declare says which it does (exit 2).
      const none = await lit(["set-nothing", "--name", name]);
      expect(none.code, none.text).toBe(2);
      expect(none.err.join("\n")).toContain(`the deployed app ${name} (on gpu-box) has no command "set-nothing"; its commands: set-note.`);
    } finally {
      expect(await closeUi(ui), ui.text()).toBe(0);
    }
    // It printed the URL and one note, and its port is closed with it.
    expect(ui.lines.map((l) => l.text)).toEqual([expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), `lit ui: ${name}'s app server on gpu-box, through SSH; Ctrl-C closes the tunnel.`]);
    await expect(th().laptop.fetch(`${ui.out()[0]}/api/v1/state`, { timeoutMs: 5000 })).rejects.toThrow(/ECONNREFUSED|refused/);
    const stopped = await lit(["stop", "--name", name]);
    expect(stopped.code, stopped.text).toBe(0);
    // Stopped: lit ui says the app is not running, and what to do.
    const after = await lit(["ui", "--name", name]);
    expect(after.code, after.text).toBe(2);
    expect(after.err).toEqual([`lit ui: ${name} on gpu-box is not running: it is stopped (stopped by lit stop), so it has no app server. lit logs --name ${name} shows its log; lit deploy starts it again.`]);
    // Its host cut off: lit ui says which host was not reached.
    await th().host("gpu-box").cut();
    try {
      const cut = await lit(["ui", "--name", name]);
      expect(cut.code, cut.text).toBe(2);
      expect(cut.err.join("\n")).toMatch(new RegExp(`^lit ui: no app named ${name} is deployed on the hosts lit knows \\(not reached: gpu-box: .+\\)\\. lit apps lists them\\.$`));
    } finally {
      await th().host("gpu-box").restore();
    }
  }, 300_000);

  it("--public: the server answers on gpu-box's address only with the token (401 without it); deploy, lit status and lit ui print it; --token sets it", async () => {
    const name = `pub-${cli}`;
    const deployed = await lit(["deploy", APP, "--host", "gpu-box", "--name", name, "--public"]);
    expect(deployed.code, deployed.text).toBe(0);
    const address = th().host("gpu-box").address;
    const port = await serverPort(name);
    const line = deployed.out.find((l) => l.startsWith("  public on "));
    expect(line, deployed.text).toMatch(new RegExp(`^  public on http://${address.replace(/\./g, "\\.")}:${port}/\\?token=(\\S{16,}) \\(every request needs the token\\)$`));
    const token = /\?token=(\S+)/.exec(line!)![1]!;
    expect(await th().host("gpu-box").output(`stat -c %a ~/.lit/deployed/${name}/token`)).toBe("600\n");

    const direct = `http://${address}:${port}/api/v1/state`;
    expect((await get(direct)).status).toBe(401);
    expect((await get(direct, "a-wrong-token-0123456789")).status).toBe(401);
    const answered = await get(direct, token);
    expect(answered.status).toBe(200);
    expect(Object.keys((answered.json as { components: object }).components)).toEqual(expect.arrayContaining(["root", "root.prepare", "root.ticker"]));

    const status = await lit(["status", "--name", name]);
    expect(status.code, status.text).toBe(0);
    expect(status.out).toContain(`  public on http://${address}:${port}/?token=${token}`);
    expect(status.out, status.text).toContain("  root.ticker  work  not_started  on gpu-box  compute default");

    // lit ui on a chosen port: the URL carries the token; through the tunnel too a request needs it.
    const ui = litOnLaptop(th(), runtime, ["ui", "--name", name, "--port", "18321"]);
    try {
      const url = (await ui.waitFor(/^http:\/\/127\.0\.0\.1:18321\/\?token=/, 60_000)).text;
      expect(url).toBe(`http://127.0.0.1:18321/?token=${token}`);
      expect((await get("http://127.0.0.1:18321/api/v1/state")).status).toBe(401);
      expect((await get("http://127.0.0.1:18321/api/v1/state", token)).status).toBe(200);
      // App commands reach it with its token.
      const set = await lit(["set-note", "--name", name, "--text", "public"]);
      expect(set.code, set.text).toBe(0);
      expect(set.out).toEqual(["note set to public"]);
    } finally {
      expect(await closeUi(ui), ui.text()).toBe(0);
    }

    const own = "my-own-token-0123456789";
    const again = await lit(["deploy", APP, "--host", "gpu-box", "--name", name, "--public", "--token", own]);
    expect(again.code, again.text).toBe(0);
    expect(again.out.find((l) => l.startsWith("  public on "))).toContain(`?token=${own} `);
    const port2 = await serverPort(name);
    expect((await get(`http://${address}:${port2}/api/v1/state`, token)).status).toBe(401);
    expect((await get(`http://${address}:${port2}/api/v1/state`, own)).status).toBe(200);
    const stopped = await lit(["stop", "--name", name, "--purge"]);
    expect(stopped.code, stopped.text).toBe(0);

    // A token without --public, or one too short, is a usage error (exit 2), before any host is reached.
    const noPublic = await lit(["deploy", APP, "--host", "gpu-box", "--name", name, "--token", own]);
    expect(noPublic.code, noPublic.text).toBe(2);
    expect(noPublic.err).toEqual(["lit deploy: --token is for a public app server: add --public (without it the app listens on its host's loopback, and lit ui reaches it)."]);
    const short = await lit(["deploy", APP, "--host", "gpu-box", "--name", name, "--public", "--token", "short"]);
    expect(short.code, short.text).toBe(2);
    expect(short.err).toEqual(["lit deploy: --token takes 16 to 512 printable characters without spaces; leave it out to have one generated."]);
  }, 300_000);
});
