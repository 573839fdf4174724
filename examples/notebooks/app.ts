// Notebooks: works created at run time from a web page (the "Dynamic Work" guide).
// The page (ui/, a static frontend using the browser client at /client.js) appends a request to
// the manager's `requests`; the manager creates one NotebookWork per user, on a GPU or a CPU as
// asked, and each work serves its own small HTTP page. The page lists the notebooks with a link
// to each and stops one when asked. The same can be done from a terminal:
//   lit add-notebook --username alice --use-gpu     lit stop-notebook --username alice
// Run: `npx lit run examples/notebooks/app.ts`, then open http://127.0.0.1:7501.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as L from "lit-app";
import { z } from "zod";

/** One user's request, as the page appends it to the manager's state. */
export interface NotebookRequest {
  username: string;
  useGpu: boolean;
  /** The notebook's page, once it serves. */
  url: string | null;
  /** Set by the page to stop the notebook. */
  stop: boolean;
}

const USERNAME = /^[A-Za-z0-9_-]{1,40}$/;

function notebookPage(username: string, compute: string): string {
  const name = username.replace(/[^A-Za-z0-9_-]/g, "");
  return `<!doctype html><meta charset="utf-8"><title>${name}'s notebook</title>
<body style="font:15px system-ui;margin:40px;color:#1c2133">
<h1 style="font-size:22px">${name}'s notebook</h1>
<p>Served by the work <code>root.notebooks.${name}</code> on <code>${compute}</code>.</p>
<pre style="background:#0f172a;color:#e2e8f0;padding:16px;border-radius:8px">In [1]: 6 * 7\nOut[1]: 42</pre>`;
}

/** A notebook server: serves its page on its port until the flow stops it. */
export class NotebookWork extends L.LightningWork {
  /** Where the page is served, once it is. */
  pageUrl: string | null = null;

  async run(username: string) {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(notebookPage(username, this.cloudCompute.name));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port ?? 0, "127.0.0.1", resolve);
    });
    L.onWorkStop(this, () => new Promise<void>((done) => (server.close(() => done()), server.closeAllConnections())));
    this.pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    console.log(`notebook for ${username} serves ${this.pageUrl}`);
    await new Promise(() => {}); // serves until stopped
  }
}

/** Creates, tracks and stops one notebook work per request. */
export class NotebookManager extends L.LightningFlow {
  notebooks = new L.Dict<NotebookWork>();
  requests: NotebookRequest[] = [];

  run() {
    for (const request of this.requests) {
      const { username } = request;
      if (!USERNAME.test(username)) continue;
      let notebook = this.notebooks.get(username);
      if (request.stop) {
        notebook?.stop();
        continue;
      }
      if (!notebook || notebook.hasStopped) {
        const cloudCompute = new L.CloudCompute(request.useGpu ? "gpu" : "cpu-small");
        notebook = new NotebookWork({ cloudCompute, parallel: true });
        this.notebooks.set(username, notebook);
      }
      notebook.run(username);
      if (notebook.pageUrl && request.url !== notebook.pageUrl) request.url = notebook.pageUrl;
    }
    if (this.requests.some((r) => r.stop || !USERNAME.test(r.username))) {
      this.requests = this.requests.filter((r) => !r.stop && USERNAME.test(r.username));
    }
  }

  // #region handlers
  addNotebook(args: { username: string; useGpu: boolean }) {
    if (this.requests.some((r) => r.username === args.username)) {
      throw new L.HttpError(409, `${args.username} already has a notebook; stop it first (lit stop-notebook --username ${args.username}).`);
    }
    this.requests = [...this.requests, { username: args.username, useGpu: args.useGpu, url: null, stop: false }];
    return `notebook for ${args.username} requested on ${args.useGpu ? "a GPU" : "a CPU"}`;
  }

  stopNotebook(args: { username: string }) {
    const request = this.requests.find((r) => r.username === args.username);
    if (!request) throw new L.HttpError(404, `${args.username} has no notebook; see lit list-notebooks.`);
    request.stop = true;
    return `stopping ${args.username}'s notebook`;
  }

  listNotebooks() {
    return this.requests.map((r) => ({ username: r.username, useGpu: r.useGpu, url: r.url }));
  }
  // #endregion handlers

  // #region layout
  override configureLayout() {
    const tabs: L.LayoutTab[] = [{ name: "Notebooks", content: new L.StaticWebFrontend(new URL("./ui/", import.meta.url)) }];
    for (const r of this.requests) if (r.url) tabs.push({ name: r.username, content: r.url });
    return tabs;
  }
  // #endregion layout

  // #region commands
  override configureCommands() {
    const username = z.string().regex(USERNAME, "letters, digits, _ and - only");
    return [
      new L.Command("add-notebook", this.addNotebook, {
        args: z.object({ username, useGpu: z.boolean().default(false) }),
        description: "Creates a notebook for a user.",
      }),
      new L.Command("stop-notebook", this.stopNotebook, { args: z.object({ username }), description: "Stops a user's notebook." }),
      new L.Command("list-notebooks", this.listNotebooks, { description: "Lists the notebooks." }),
    ];
  }
  // #endregion commands

  // #region api
  override configureApi() {
    return [new L.Get("/api/notebooks", this.listNotebooks)];
  }
  // #endregion api
}

export default new L.LightningApp(new NotebookManager(), { name: "notebooks" });
