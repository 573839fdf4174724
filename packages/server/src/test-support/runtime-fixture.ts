// Serves a small app on the runtime running this file (node, bun or deno), checks the state API,
// a delta and the live WebSocket from inside, and prints one JSON line with what it saw.
import * as L from "@lit-app/core";
import { AppEngine } from "@lit-app/core/internal";
import { InProcessExecutor } from "@lit-app/core/testing";
import { runtimeKind } from "@lit-app/runtime";
import { startAppServer } from "../index.ts";
import { realClock } from "./real-clock.ts";

class Echo extends L.LightningWork {
  said = "";
  run(word: string) {
    this.said = word;
  }
}
class Root extends L.LightningFlow {
  words: string[] = [];
  echo = new Echo({ parallel: true });
  run() {
    for (const w of this.words) this.echo.run(w);
  }
}

const engine = new AppEngine(new L.LightningApp(new Root()), { executor: new InProcessExecutor(), clock: realClock });
void engine.start();
const server = await startAppServer(engine, { port: 0, register: false });
const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/v1/ws`);
const messages: { type: string }[] = [];
ws.onmessage = (e) => messages.push(JSON.parse(String(e.data)));
await new Promise((r) => (ws.onopen = r));
const delta = await fetch(`${server.url}/api/v1/delta`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ patch: [{ op: "add", path: "/components/root/vars/words/-", value: "hi" }] }),
});
const deadline = Date.now() + 5000;
let said = "";
while (Date.now() < deadline) {
  const state = await (await fetch(`${server.url}/api/v1/state`)).json();
  said = state.components["root.echo"].vars.said;
  if (said === "hi" && messages.some((m) => JSON.stringify(m).includes('"said"'))) break;
  await new Promise((r) => setTimeout(r, 20));
}
ws.close();
console.log(JSON.stringify({ runtime: runtimeKind(), delta: delta.status, said, first: messages[0]?.type, patches: messages.filter((m) => m.type === "patch").length > 0 }));
await engine.stop();
await server.close();
