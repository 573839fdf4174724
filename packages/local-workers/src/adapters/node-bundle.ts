/**
 * On Node, a work's thread loads one JavaScript file: the worker program and
 * the app's module bundled together with esbuild, once per app module, in the
 * main thread. Without it every thread would load a TypeScript loader and
 * transpile the same files again (hundreds of ms and tens of MB per work).
 * Packages whose files are already JavaScript stay outside the bundle and are
 * loaded from node_modules as usual; TypeScript packages (lit-app's own) are
 * bundled, so the worker program and the app share one copy of the core.
 */
import { rmdirSync, rmSync } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { processAlive } from "@lit-app/runtime";
import type { Plugin } from "esbuild";
import { appModuleFiles } from "../app-modules.ts";
import { withEsbuild } from "../esbuild-use.ts";

const BOOT = fileURLToPath(new URL("../worker/boot.ts", import.meta.url));
const TS = /\.(c|m)?tsx?$/;
/** A bundle being built or built, and how many threads use it. */
interface Bundle {
  ready: Promise<{ url: string; remove: () => void }>;
  users: number;
}
const bundles = new Map<string, Bundle>();

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
 * The app's `lit-app` is its work side (`lit-app/work-side`: the public API without the runner that starts an
 * app run directly), which is all a work's thread uses; an app that does not have it keeps `lit-app`.
 */
const litAppWorkSide: Plugin = {
  name: "lit-app-work-side",
  setup(build) {
    build.onResolve({ filter: /^lit-app$/ }, async (args) => {
      const resolved = await build.resolve("lit-app/work-side", { resolveDir: args.resolveDir, kind: args.kind });
      return resolved.errors.length ? undefined : resolved;
    });
  },
};

/** A thread's use of a bundle: the URL of its program, and `release()` once the thread is no more. */
export interface BundleUse {
  url: string;
  release(): void;
}

/**
 * Bundles the worker program with the app module at `appModule` (a file URL),
 * once per app module while threads use it, and returns the bundle's file
 * URL. When the last use is released (the executor of its threads closed),
 * the bundle is removed, and `.lit` beside the app if it is then empty; a
 * later thread builds it again.
 */
export async function useWorkerBundle(appModule: string): Promise<BundleUse> {
  let bundle = bundles.get(appModule);
  if (!bundle) {
    const entry: Bundle = { ready: build(appModule), users: 0 };
    entry.ready.catch(() => bundles.get(appModule) === entry && bundles.delete(appModule));
    bundles.set(appModule, entry);
    bundle = entry;
  }
  // Counted before the build ends, so that a thread ending meanwhile does not remove it.
  bundle.users++;
  const used = bundle;
  const built = await used.ready.catch((error: unknown) => {
    used.users--;
    throw error;
  });
  let released = false;
  return {
    url: built.url,
    release() {
      if (released) return;
      released = true;
      if (--used.users > 0) return;
      if (bundles.get(appModule) === used) bundles.delete(appModule);
      built.remove();
    },
  };
}

async function build(appModule: string): Promise<{ url: string; remove: () => void }> {
  const appPath = fileURLToPath(appModule);
  const dir = join(dirname(appPath), ".lit");
  await mkdir(dir, { recursive: true });
  await removeStaleBundles(dir);
  const name = `worker-${appPath.replace(/[^A-Za-z0-9]+/g, "_").slice(-60)}-${process.pid}`;
  const outdir = join(dir, name);
  const temp = join(dir, `${name}.${Date.now()}.tmp`);
  // Removed when no thread uses it any more, or else when this thread's process ends; `.lit` too
  // unless it holds something else (the works' files, another app's bundle).
  const remove = () => {
    process.off("exit", remove);
    for (const path of [temp, outdir]) rmSync(path, { recursive: true, force: true });
    try {
      rmdirSync(dir);
    } catch {
      // Not empty, or already gone.
    }
  };
  process.once("exit", remove);
  // The app's other modules are imported by file URL when a work's class is exported from one of them.
  const modules = (await appModuleFiles(appModule).catch(() => [appPath])).filter((path) => path !== appPath);
  const moduleMap = modules.map((path) => `${JSON.stringify(pathToFileURL(path).href)}: () => import(${JSON.stringify(path)})`);
  await withEsbuild((esbuild) =>
    esbuild.build({
      stdin: {
        contents:
          // Source maps are on before the framework's chunks load (a static import would load them first),
          // so that stacks name the source files, which is how a work's failure finds the user's frames.
          `process.setSourceMapsEnabled?.(true);\n` +
          `const { bootWorker } = await import(${JSON.stringify(BOOT)});\n` +
          `const modules = {${moduleMap.join(", ")}};\n` +
          `await bootWorker(() => import(${JSON.stringify(appPath)}), (url) => modules[url]?.() ?? import(url));\n`,
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
      plugins: [litAppWorkSide, keepJsPackagesOutside],
    }),
  ).catch((error: unknown) => {
    remove();
    throw error;
  });
  await rm(outdir, { recursive: true, force: true });
  await rename(temp, outdir);
  return { url: pathToFileURL(join(outdir, "worker.mjs")).href, remove };
}

/** A bundle's folder (or its temp folder while it is built): the pid of the process that built it. */
const BUNDLE_DIR = /^worker-.*-(\d+)(?:\.\d+\.tmp)?$/;

/**
 * Removes the bundles of processes that are gone: one killed (`kill -9`), or
 * ended before its works' threads were, could not remove its own.
 */
async function removeStaleBundles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const pid = Number(BUNDLE_DIR.exec(name)?.[1]);
    if (!pid || pid === process.pid || processAlive(pid)) continue;
    await rm(join(dir, name), { recursive: true, force: true });
  }
}

