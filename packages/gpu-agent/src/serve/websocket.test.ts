// WebSocket upgrades through the agent's serve adapters, on node and on bun, behind the bearer token
// (as a header, or as a subprotocol for clients that cannot send headers).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { subprotocolsFor } from "../request-token.ts";
import { RUNTIMES } from "../test-support/agent-process.ts";

const fixture = fileURLToPath(new URL("../../test/fixtures/ws-agent.ts", import.meta.url));
const TOKEN = "a-test-token-of-enough-length-0123456789ab";
let child: ChildProcess | null = null;

afterEach(async () => {
  if (child !== null && child.exitCode === null) {
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
  child = null;
});

async function serve(runtime: "node" | "bun"): Promise<number> {
  const args = runtime === "node" ? ["--import", "tsx", fixture, TOKEN] : [fixture, TOKEN];
  child = spawn(RUNTIMES[runtime], args, { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = "";
    child!.stdout!.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child!.once("exit", (code) => reject(new Error(`the fixture exited (${code})`)));
  });
  return (JSON.parse(line) as { port: number }).port;
}

describe.each(["node", "bun"] as const)("WebSockets through the agent's server on %s", (runtime) => {
  it("upgrades with the token and echoes; refuses the upgrade without it", async () => {
    const port = await serve(runtime);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/echo`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("hi"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
    });
    expect(reply).toBe("echo:hi");
    ws.close();

    const refused = new WebSocket(`ws://127.0.0.1:${port}/v1/echo`);
    const status = await new Promise<number>((resolve) => {
      refused.once("unexpected-response", (_req, res) => resolve(res.statusCode!));
      refused.once("open", () => resolve(101));
      refused.once("error", () => resolve(-1));
    });
    expect(status).toBe(401);
  });

  it("hands every message to the route once, in order: those sent at open, those after, text and binary", async () => {
    const port = await serve(runtime);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/echo`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const replies: string[] = [];
    const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => {
        // The first half at once (they may reach the server before its route is open), the rest later.
        for (const m of sent.slice(0, 100)) ws.send(m);
        setTimeout(() => {
          for (const m of sent.slice(100, 199)) ws.send(m);
          ws.send(Buffer.from(sent[199]!), { binary: true });
        }, 20);
      });
      ws.on("message", (data) => {
        replies.push(String(data));
        if (replies.length === sent.length) resolve();
      });
      ws.once("error", reject);
    });
    await new Promise((r) => setTimeout(r, 50)); // a message handed over twice would have come by now
    ws.close();
    expect(replies.slice(0, 199)).toEqual(sent.slice(0, 199).map((m) => `echo:${m}`));
    expect(replies[199]).toMatch(/^echo:/);
    expect(replies).toHaveLength(200);
  });

  it("upgrades with the token as a subprotocol, answering lit-agent.v1 (never the token); refuses a wrong token, another order, or the token alone", async () => {
    const port = await serve(runtime);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/echo`, subprotocolsFor(TOKEN));
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("hi"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
    });
    expect(ws.protocol).toBe("lit-agent.v1");
    expect(reply).toBe("echo:hi");
    ws.close();

    const refusedWith = (protocols: string[]) =>
      new Promise<{ status: number; body: string }>((resolve) => {
        const refused = new WebSocket(`ws://127.0.0.1:${port}/v1/echo`, protocols);
        refused.once("unexpected-response", (_req, res) => {
          let body = "";
          res.setEncoding("utf8").on("data", (d: string) => (body += d));
          res.once("end", () => resolve({ status: res.statusCode!, body }));
        });
        refused.once("open", () => (refused.close(), resolve({ status: 101, body: "" })));
        refused.once("error", () => resolve({ status: -1, body: "" }));
      });
    // Node's adapter answers a refused upgrade with its status only; Bun's with the error too.
    const says = runtime === "bun";
    const wrong = await refusedWith(subprotocolsFor("b".repeat(43)));
    expect(wrong.status).toBe(401);
    if (says) expect(wrong.body).toContain("wrong token");
    const [agent, token] = subprotocolsFor(TOKEN);
    for (const offered of [[token, agent], [token], [agent, token, "chat"]]) {
      const refused = await refusedWith(offered);
      expect(refused.status, offered.join(", ")).toBe(401);
      if (says) expect(refused.body).toContain("lit-agent.v1, lit-token.<token>");
      expect(refused.body).not.toContain(TOKEN);
    }
  });
});
