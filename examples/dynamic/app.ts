// Dynamic works: a notebook manager (as in the "Dynamic Work" guide, without the UI) creates one
// work per request in its `requests` list, in an L.Dict named by user, and stops the one whose
// request asks for it. Here the root flow plays the user: once every notebook is ready it asks
// for bob's to stop, and it ends the app when that is done.
// Works created at run time are rebuilt in their thread from their class, so the class is exported
// from the module that defines it: here notebook.ts, any module of the app will do.
// Run: `npx bun run examples/dynamic/app.ts` (or `npx lit run examples/dynamic/app.ts`, `npx deno run -A examples/dynamic/app.ts`).
import * as L from "lit-app";
import { NotebookWork } from "./notebook.ts";

/** One user's request, as a UI would append it to the manager's state. */
export interface NotebookRequest {
  username: string;
  useGpu: boolean;
  token: string | null;
  stop: boolean;
}

/** Creates, tracks and stops one notebook work per request. */
export class NotebookManager extends L.LightningFlow {
  notebooks = new L.Dict<NotebookWork>();
  requests: NotebookRequest[];

  constructor(requests: NotebookRequest[]) {
    super();
    this.requests = requests;
  }

  run() {
    for (const request of this.requests) {
      const { username } = request;
      if (!this.notebooks.has(username)) {
        const cloudCompute = new L.CloudCompute(request.useGpu ? "gpu" : "cpu-small");
        this.notebooks.set(username, new NotebookWork({ cloudCompute, parallel: true }));
      }
      const notebook = this.notebooks.get(username)!;
      notebook.run(username);
      if (notebook.token && request.token !== notebook.token) request.token = notebook.token;
      if (request.stop) notebook.stop();
    }
    if (this.requests.some((r) => r.stop)) this.requests = this.requests.filter((r) => !r.stop);
  }
}

export class Root extends L.LightningFlow {
  manager = new NotebookManager(
    ["alice", "bob", "carol"].map((username) => ({ username, useGpu: username === "bob", token: null, stop: false })),
  );
  askedToStop = false;
  bobStoppedAt: number | null = null;

  run() {
    this.manager.run();
    const { requests, notebooks } = this.manager;
    // The user clicks "stop" on bob's notebook once every notebook is ready.
    if (!this.askedToStop && requests.length === 3 && requests.every((r) => r.token)) {
      requests.find((r) => r.username === "bob")!.stop = true;
      this.askedToStop = true;
    }
    const bob = notebooks.get("bob");
    if (bob?.hasStopped) {
      // Give bob's notebook a moment to shut down while the others go on, then end the app.
      this.bobStoppedAt ??= this.now();
      if (this.now() < this.bobStoppedAt + 1_000) return this.wakeAt(this.bobStoppedAt + 1_000);
      const running = [...notebooks.entries()].filter(([, w]) => w.isRunning).map(([name]) => name);
      console.log(`bob's notebook stopped; still running: ${running.join(", ")}`);
      this.stop("bob's notebook was stopped on request");
    }
  }
}

export default new L.LightningApp(new Root());
