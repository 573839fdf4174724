/**
 * On Node, a work's thread loads one JavaScript file: the worker program and
 * the app's module bundled together with esbuild, once per app module, in the
 * main thread. Without it every thread would load a TypeScript loader and
 * transpile the same files again (hundreds of ms and tens of MB per work).
 * Packages whose files are already JavaScript stay outside the bundle and are
 * loaded from node_modules as usual; TypeScript packages (lit-app's own) are
 * bundled, so the worker program and the app share one copy of the core.
 */
import { rmSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";

const BOOT = fileURLToPath(new URL("../worker/boot.ts", import.meta.url));
const TS = /\.(c|m)?tsx?$/;
const bundles = new Map<string, Promise<string>>();
let building = 0;

const keepJsPackagesOutside: Plugin = {
  name: "lit-external-js-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]|^\.[^./]/ }, async (args) => {
      if (args.kind === "entry-point" || args.pluginData === "lit-inner" || /^[./]/.test(args.path)) return undefined;
      if (args.path.startsWith("node:")) return { path: args.path, external: true };
      const resolved = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: "lit-inner" });
      if (resolved.errors.length || TS.test(resolved.path)) return resolved.errors.length ? undefined : resolved;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Bundles the worker program with the app module at `appModule` (a file URL)
 * and returns the bundle's file URL. Built once per app module per process.
 */
export function workerBundle(appModule: string): Promise<string> {
  let bundle = bundles.get(appModule);
  if (!bundle) {
    bundle = build(appModule);
    bundles.set(appModule, bundle);
    bundle.catch(() => bundles.delete(appModule));
  }
  return bundle;
}

async function build(appModule: string): Promise<string> {
  const appPath = fileURLToPath(appModule);
  const dir = join(dirname(appPath), ".lit");
  await mkdir(dir, { recursive: true });
  const name = `worker-${appPath.replace(/[^A-Za-z0-9]+/g, "_").slice(-60)}-${process.pid}`;
  const outdir = join(dir, name);
  const temp = join(dir, `${name}.${Date.now()}.tmp`);
  const { build: esbuild, stop } = await import("esbuild");
  building++;
  await esbuild({
    stdin: {
      contents:
        `process.setSourceMapsEnabled?.(true);\n` +
        `import { bootWorker } from ${JSON.stringify(BOOT)};\n` +
        `await bootWorker(() => import(${JSON.stringify(appPath)}));\n`,
      resolveDir: dirname(appPath),
      sourcefile: "lit-worker-entry.ts",
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    outExtension: { ".js": ".mjs" },
    target: "node20",
    // Split, so that modules imported dynamically (the app server, runtime adapters) stay lazy.
    splitting: true,
    outdir: temp,
    entryNames: "worker",
    sourcemap: "inline",
    logLevel: "silent",
    plugins: [keepJsPackagesOutside],
  }).finally(() => building--);
  // The esbuild service process is not needed any more (it would wake up to ping).
  if (building === 0) await stop();
  await rm(outdir, { recursive: true, force: true });
  await rename(temp, outdir);
  process.once("exit", () => rmSync(outdir, { recursive: true, force: true }));
  return pathToFileURL(join(outdir, "worker.mjs")).href;
}
