// The boring app ("Moving to the Cloud"): one work writes a file and records it as an L.Path; the
// flow hands the Path to a second work, which gets the file in its own storage root before its
// run() starts (wherever the two works run) and serves its content over HTTP on its port. The
// app's UI shows that page in a "Boring Tab".
// Run: `npx lit run examples/boring/app.ts` (or `npx bun run examples/boring/app.ts`,
// `npx deno run -A examples/boring/app.ts`), then open http://127.0.0.1:1111/file or the app's UI.
// It serves until Ctrl-C; with LIT_EXAMPLE_EXIT=1 it ends after serving the file once.
// BORING_PORT sets the port (default 1111).
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import process from "node:process";
import * as L from "lit-app";

const FILE_CONTENT = `
Hello there!
This tab is currently an IFrame of the HTTP server running in DestinationFileAndServeWork.
The file served is the one SourceFileWork wrote, copied to this work's storage by lit-app.
`;

/** Writes a file and keeps a reference to it in its state. */
export class SourceFileWork extends L.LightningWork {
  boringPath: L.Path | null = null;

  async run() {
    // The Path is a reference to the file: the work that stores it is its origin.
    this.boringPath = new L.Path("boring_file.txt");
    await writeFile(String(this.boringPath), FILE_CONTENT);
    console.log(`wrote ${this.boringPath.path}`);
  }
}

/** Serves the content of the file it is given on its port, at /file. */
export class DestinationFileAndServeWork extends L.LightningWork {
  async run(path: L.Path) {
    // The file was copied into this work's storage root before run() started.
    if (!path.exists()) throw new Error(`${path.path} is not here`);
    const once = process.env.LIT_EXAMPLE_EXIT === "1";
    let served!: () => void;
    const done = new Promise<void>((resolve) => (served = resolve));
    const server = createServer((req, res) => {
      if (req.url !== "/file") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /file\n");
        return;
      }
      readFile(String(path), "utf8").then(
        (content) => {
          res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end(content);
          if (once) served();
        },
        (error: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", resolve);
    });
    L.onWorkStop(this, () => new Promise<void>((closed) => (server.close(() => closed()), server.closeAllConnections())));
    console.log(`serving the content of ${path.path} (from ${path.origin}) at ${this.url}/file`);
    await (once ? done : new Promise<never>(() => {}));
    server.close();
    server.closeAllConnections();
  }
}

export class BoringApp extends L.LightningFlow {
  sourceWork = new SourceFileWork({ parallel: true });
  destWork = new DestinationFileAndServeWork({ port: Number(process.env.BORING_PORT ?? 1111) });

  // #region flow
  run() {
    this.sourceWork.run();
    if (this.sourceWork.hasSucceeded && this.sourceWork.boringPath) {
      // The flow passes the file from one work to the other.
      this.destWork.run(this.sourceWork.boringPath);
      this.stop("Boring App End");
    }
  }
  // #endregion flow

  // #region layout
  configureLayout() {
    return { name: "Boring Tab", content: `${this.destWork.url}/file` };
  }
  // #endregion layout
}

export default new L.LightningApp(new BoringApp(), { name: "boring" });
