import * as L from "@lit-app/core";
import { afterEach, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { ServerOptionError } from "./errors.ts";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { get, post, raw } from "./test-support/http.ts";
import { serveApp, type ServedApp } from "./test-support/serve-app.ts";

let served: ServedApp | undefined;
afterEach(async () => {
  await served?.stop();
  served = undefined;
});

const delta = { patch: [{ op: "add", path: "/components/root/vars/requests/-", value: { name: "x" } }] };

function wsStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => {
      ws.close();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", () => resolve(-1));
  });
}

describe("listening beyond loopback", () => {
  test("0.0.0.0 without a token generates one, prints it, and refuses every request without it", async () => {
    const printed: string[] = [];
    served = await serveApp(new L.LightningApp(new RequestsFlow()), { listen: "0.0.0.0", print: (l) => printed.push(l) });
    const token = served.server.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(printed).toEqual([`lit-app: the app server listens on 0.0.0.0:${served.server.port}; every request needs its token. Open ${served.url}/?token=${token}`]);
    expect(served.url).toBe(`http://127.0.0.1:${served.server.port}`);

    for (const path of ["/", "/api/v1/state", "/api/v1/status", "/api/v1/layout", "/client.js", "/api/v1/logs", "/api/requests/x"]) {
      const res = await get(served.url + path);
      expect(res.status, path).toBe(401);
      expect(res.body.error.message, path).toContain("this app needs its token");
    }
    expect((await post(`${served.url}/api/v1/delta`, delta)).status).toBe(401);
    expect((await get(`${served.url}/api/v1/state`, { authorization: "Bearer wrong-token-wrong-token-wrong" })).status).toBe(401);
    expect(await wsStatus(`${served.url.replace("http", "ws")}/api/v1/ws`)).toBe(401);

    expect((await get(`${served.url}/api/v1/state`, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await get(`${served.url}/api/v1/state?token=${token}`)).status).toBe(200);
    expect((await post(`${served.url}/api/v1/delta`, delta, { authorization: `Bearer ${token}` })).status).toBe(200);
    expect(await wsStatus(`${served.url.replace("http", "ws")}/api/v1/ws?token=${token}`)).toBe(101);
  });

  test("opening the UI with ?token= sets an HttpOnly, SameSite=Strict cookie that later requests may use", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()), { listen: "0.0.0.0", print: () => {} });
    const token = served.server.token!;
    const page = await raw(`${served.url}/?token=${token}`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers["set-cookie"]);
    expect(cookie).toContain(`lit_token_${served.server.port}=${token}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const pair = cookie.split(";")[0]!;
    expect((await raw(`${served.url}/api/v1/state`, { headers: { cookie: pair } })).status).toBe(200);
    expect((await raw(`${served.url}/api/v1/state`, { headers: { cookie: `lit_token_${served.server.port}=nope` } })).status).toBe(401);
  });

  test("a given token is used; a short one is refused", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()), { listen: "0.0.0.0", token: "a-token-of-my-own-choosing", print: () => {} });
    expect(served.server.token).toBe("a-token-of-my-own-choosing");
    expect((await get(`${served.url}/api/v1/state`, { authorization: "Bearer a-token-of-my-own-choosing" })).status).toBe(200);
    await served.stop();
    served = undefined;
    await expect(serveApp(new L.LightningApp(new RequestsFlow()), { token: "short" })).rejects.toThrow(ServerOptionError);
  });
});

describe("on loopback", () => {
  test("needs no token, but refuses other Host names (DNS rebinding)", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    expect(served.server.token).toBeUndefined();
    expect(served.server.listen).toBe("127.0.0.1");
    expect((await raw(`${served.url}/api/v1/state`)).status).toBe(200);
    expect((await raw(`${served.url}/api/v1/state`, { headers: { host: `localhost:${served.server.port}` } })).status).toBe(200);
    const evil = await raw(`${served.url}/api/v1/state`, { headers: { host: `evil.example:${served.server.port}` } });
    expect(evil.status).toBe(403);
    expect(JSON.parse(evil.body).error.message).toContain('the Host "evil.example');
  });

  test("refuses changes and WebSockets from other origins, and sends no CORS header", async () => {
    served = await serveApp(new L.LightningApp(new RequestsFlow()));
    const host = `127.0.0.1:${served.server.port}`;
    const body = JSON.stringify(delta);
    const json = { "content-type": "application/json" };
    const foreign = await raw(`${served.url}/api/v1/delta`, { method: "POST", body, headers: { ...json, origin: "http://evil.example" } });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.code).toBe("E_ORIGIN");
    const same = await raw(`${served.url}/api/v1/delta`, { method: "POST", body, headers: { ...json, origin: `http://${host}` } });
    expect(same.status).toBe(200);
    expect(await wsStatus(`ws://${host}/api/v1/ws`, { origin: "http://evil.example" })).toBe(403);
    expect(await wsStatus(`ws://${host}/api/v1/ws`, { origin: `http://${host}` })).toBe(101);
    const preflight = await raw(`${served.url}/api/v1/delta`, { method: "OPTIONS", headers: { origin: "http://evil.example", "access-control-request-method": "POST" } });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(same.headers["access-control-allow-origin"]).toBeUndefined();
  });
});
