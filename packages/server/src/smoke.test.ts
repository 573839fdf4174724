import * as L from "@lit-app/core";
import { afterEach, expect, test } from "vitest";
import WebSocket from "ws";
import { connect } from "./client/client.js";
import { RequestsFlow } from "./test-support/fixtures.ts";
import { serveApp, until, type ServedApp } from "./test-support/serve-app.ts";

let served: ServedApp | undefined;
afterEach(async () => served?.stop());

test("smoke client", async () => {
  served = await serveApp(new L.LightningApp(new RequestsFlow()));
  for (const WS of [WebSocket, undefined]) {
    const app = await connect(served.url, { WebSocket: WS });
    const seen: number[] = [];
    app.subscribe((s) => seen.push(s.components["root"]!.vars.requests.length));
    app.state.requests = [...app.state.requests, { name: "x" }];
    app.state.requests.push({ name: "y" });
    console.log(JSON.stringify(app.state.requests));
    await app.flush();
    await until(() => app.document.components["root.counter"]!.vars.count === app.state.requests.length && app.state.handled === app.state.requests.length, "count");
    console.log(seen.join(","), JSON.stringify(app.state));
    app.close();
  }
});
