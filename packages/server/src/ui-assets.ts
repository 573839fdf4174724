/**
 * The browser's files of the app server: the UI (`ui/`) and the browser
 * client (`client/`), beside this module. A program that carries the server
 * in one bundle (a deployed app's flow program) has no such folders beside
 * it: it embeds them ({@link readUiAssets}, where they are) and writes them
 * out where it runs ({@link writeUiAssets}), then serves them from there
 * (`startAppServer`'s `assetsDir`).
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomicSync } from "@lit-app/runtime";

/** The folders served, by the name they have in the assets. */
export const ASSET_DIRS = {
  ui: fileURLToPath(new URL("./ui/", import.meta.url)),
  client: fileURLToPath(new URL("./client/", import.meta.url)),
} as const;

/** The browser's files by path (`ui/index.html`, `client/client.js`), each base64. */
export type UiAssets = Record<string, string>;

const SERVED = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.(html|js|css|svg)$/;

/** Reads the browser's files (not tests or type declarations) from this package's folders. */
export function readUiAssets(): UiAssets {
  const assets: UiAssets = {};
  for (const [name, dir] of Object.entries(ASSET_DIRS)) {
    for (const file of readdirSync(dir).sort()) {
      if (!SERVED.test(file) || /\.test\.|\.d\.ts$/.test(file)) continue;
      assets[`${name}/${file}`] = readFileSync(join(dir, file)).toString("base64");
    }
  }
  return assets;
}

/**
 * Writes `assets` (from {@link readUiAssets}) under `dir`, each file atomically; `dir` is then an
 * `assetsDir` for `startAppServer`.
 * @throws Error on a path that is not `ui/<file>` or `client/<file>`.
 */
export function writeUiAssets(dir: string, assets: UiAssets): void {
  for (const [path, base64] of Object.entries(assets)) {
    const [folder, file, ...rest] = path.split("/");
    if (!(folder === "ui" || folder === "client") || file === undefined || rest.length || !SERVED.test(file)) {
      throw new Error(`not writing the UI file ${JSON.stringify(path)}: it is not ui/<file> or client/<file>`);
    }
    mkdirSync(join(dir, folder), { recursive: true });
    writeFileAtomicSync(join(dir, folder, file), Buffer.from(base64, "base64"), { mode: 0o644 });
  }
}
