/**
 * The modules of an app: its module and the files it imports, statically,
 * through relative or absolute paths (packages are not the app's), found by
 * esbuild without running anything. A work created inside run() is rebuilt in
 * its thread from its class, which may be exported from any of them; Node's
 * work bundle exposes them to the thread. Looked up once per app module.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Metafile, Plugin } from "esbuild";
import { withEsbuild } from "./esbuild-use.ts";

const graphs = new Map<string, Promise<string[]>>();

/** Packages (bare names) and the runtime's own modules are not followed. */
const packagesOutside: Plugin = {
  name: "lit-app-modules-only",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === "entry-point" ? undefined : { path: args.path, external: true }));
  },
};

/**
 * The absolute paths of the app's modules, the app module (a file URL) first.
 * An app esbuild cannot read (a syntax error, a file type it has no loader for)
 * has only its own module here.
 */
export function appModuleFiles(appModule: string): Promise<string[]> {
  let graph = graphs.get(appModule);
  if (!graph) {
    graph = scan(fileURLToPath(appModule));
    graphs.set(appModule, graph);
  }
  return graph;
}

async function scan(appPath: string): Promise<string[]> {
  const cwd = dirname(appPath);
  let metafile: Metafile;
  try {
    ({ metafile } = await withEsbuild(({ build }) => build({
      entryPoints: [appPath],
      absWorkingDir: cwd,
      bundle: true,
      write: false,
      metafile: true,
      platform: "node",
      format: "esm",
      logLevel: "silent",
      plugins: [packagesOutside],
    })));
  } catch {
    return [appPath];
  }
  // The imports that run when the app's module loads: not dynamic ones, which may never run.
  const byPath = new Map(Object.entries(metafile.inputs).map(([path, input]) => [resolve(cwd, path), input]));
  const seen = new Set<string>([appPath]);
  const order = [appPath];
  for (let i = 0; i < order.length; i++) {
    for (const imported of byPath.get(order[i]!)?.imports ?? []) {
      if (imported.external || imported.kind === "dynamic-import") continue;
      const path = resolve(cwd, imported.path);
      if (!seen.has(path) && byPath.has(path)) {
        seen.add(path);
        order.push(path);
      }
    }
  }
  return order;
}
