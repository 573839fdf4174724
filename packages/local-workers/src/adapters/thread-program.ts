/**
 * On Bun, a work's thread can run a program built once with esbuild instead
 * of the TypeScript as it is: the work program with the framework's side of
 * a work (lit-app's public API without the runner that starts an app, the
 * core, the thread's end of the channel), minified, in a few JavaScript
 * files. What a thread evaluates is most of what it costs (Bun builds each
 * thread's modules afresh, about 10 bytes of memory per byte of code): a
 * thousand bare threads importing an app's TypeScript (and so lit-app's) took
 * 20-25 s of CPU and 3.2 GB here; importing the built program (65 KB), 8-12 s
 * and 2.1-2.5 GB, against 4 s and 1.5 GB importing nothing.
 *
 * The app's own modules are not in it: they load as they are (their stacks,
 * `import.meta.url` and files beside them unchanged). The program registers a
 * Bun plugin that points their imports of `lit-app` and of the core's modules
 * at the built files, so that the app and the program share one copy of the
 * framework (one `LightningWork` class, one `LightningApp`).
 *
 * Built into `$LIT_HOME/cache/thread-programs/<content hash>/` (default
 * `~/.lit`), with a record per set of framework sources naming the build and
 * the files it was built from; a later start whose files are unchanged (size
 * and modification time) reuses it without running esbuild
 * (thread-program-cache.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileAtomic } from "@lit-app/runtime";
import type { Plugin } from "esbuild";
import { withEsbuild } from "../esbuild-use.ts";
import { builtFromStatement } from "../worker/built-from.ts";
import { BOOT, cachedThreadProgram, FORMAT, PROGRAM, recordPath, sourcesOf, threadProgramsDir, type BuildRecord, type Sources } from "./thread-program-cache.ts";

const builds = new Map<string, Promise<URL>>();

/**
 * Builds the program for `appModule` (a file URL), once per process and set
 * of sources, unless one built from the same files is there already; resolves
 * to its entry's file URL.
 */
export function buildThreadProgram(appModule: string, root = threadProgramsDir()): Promise<URL> {
  const cached = cachedThreadProgram(appModule, root);
  if (cached) return Promise.resolve(cached);
  const sources = sourcesOf(appModule);
  const record = recordPath(sources, root);
  let build = builds.get(record);
  if (!build) {
    build = buildInto(sources, root, record);
    builds.set(record, build);
    build.catch(() => builds.get(record) === build && builds.delete(record));
  }
  return build;
}

/**
 * The internals of the core that the app's side may import (`@lit-app/storage`, CommandWork): the build's core
 * entry exports them beside the core's public API. Another internal imported by a module the thread loads as it
 * is fails to link, naming it: add it here.
 */
const CORE_INTERNALS = ["normalizePath", "registerWorkClass", "knownWorkClasses"];

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/**
 * The build's entry: says where it was built from, points the app's framework imports at the build, starts the
 * work program. Every module of the core's folder (but its testing helpers) is pointed at the build's core, so that
 * a module of the app's side that imports one by its path (the core's testing helpers import `../work.ts`) gets
 * the build's copy too: one `LightningWork` class in the thread, whichever way it was imported. lit-app's index
 * and work side become the build's lit-app (its work side).
 */
function programSource(sources: Sources): string {
  const coreDir = `${dirname(sources.core)}/`;
  const lit = sources.litApp ? [sources.litApp.index, sources.litApp.workSide] : [];
  const filter = `^(?:${escape(coreDir)}(?!testing/|test-support/).*\\.ts|${lit.map(escape).join("|") || "(?!)"})$`;
  return [
    `import ${JSON.stringify(NAMES_ENTRY)};`,
    builtFromStatement(pathToFileURL(BOOT).href),
    `const core = JSON.stringify(new URL("./core.js", import.meta.url).href), litApp = JSON.stringify(new URL("./lit-app.js", import.meta.url).href);`,
    `Bun.plugin({ name: "lit-app-work-side", setup(build) {`,
    `  build.onLoad({ filter: new RegExp(${JSON.stringify(filter)}) }, (args) => ({`,
    `    contents: "export * from " + (args.path.startsWith(${JSON.stringify(coreDir)}) ? core : litApp) + ";",`,
    `    loader: "js",`,
    `  }));`,
    `} });`,
    `const { bootWorker } = await import(${JSON.stringify(BOOT)});`,
    `await bootWorker();`,
  ].join("\n");
}

/** The build's two virtual modules: the program's entry and the core's. */
const PROGRAM_ENTRY = "lit-thread-program:program";
const CORE_ENTRY = "lit-thread-program:core";
const NAMES_ENTRY = "lit-thread-program:names";

/**
 * The module the program loads first: gives the framework's exported classes and functions back their names,
 * which minifying took (an error's name is its class's: `WorkClassError`; a work class is registered by name),
 * and registers lit-app's work classes under them. Cheaper than esbuild's `keepNames`, which names every
 * function of the build as it loads: about 0.3 MB and 3 ms of CPU per thread.
 */
function namesSource(sources: Sources): string {
  const lit = sources.litApp ? `import * as lit from ${JSON.stringify(sources.litApp.workSide)};\n` : "";
  return (
    `import * as core from ${JSON.stringify(sources.core)};\n${lit}` +
    `import { registerWorkClass } from ${JSON.stringify(join(dirname(sources.core), "internal.ts"))};\n` +
    `for (const exports of [core${sources.litApp ? ", lit" : ""}]) for (const [name, value] of Object.entries(exports)) {\n` +
    `  if (typeof value !== "function" || value.name === name) continue;\n` +
    `  Object.defineProperty(value, "name", { value: name, configurable: true });\n` +
    `  if (value.prototype instanceof core.LightningWork) registerWorkClass(value);\n` +
    `}\n`
  );
}

const virtualEntries = (program: string, names: string, coreDir: string): Plugin => ({
  name: "lit-thread-program",
  setup(build) {
    build.onResolve({ filter: /^lit-thread-program:/ }, (args) => ({ path: args.path.slice(args.path.indexOf(":") + 1), namespace: "lit-thread-program" }));
    build.onLoad({ filter: /^program$/, namespace: "lit-thread-program" }, () => ({ contents: program, loader: "js", resolveDir: dirname(BOOT) }));
    build.onLoad({ filter: /^names$/, namespace: "lit-thread-program" }, () => ({ contents: names, loader: "js", resolveDir: coreDir }));
    build.onLoad({ filter: /^core$/, namespace: "lit-thread-program" }, () => ({
      contents: `export * from "./index.ts";\nexport { ${CORE_INTERNALS.join(", ")} } from "./internal.ts";\n`,
      loader: "ts",
      resolveDir: coreDir,
    }));
  },
});

async function buildInto(sources: Sources, root: string, record: string): Promise<URL> {
  await mkdir(root, { recursive: true });
  const result = await withEsbuild((esbuild) =>
    esbuild.build({
      entryPoints: [
        { in: PROGRAM_ENTRY, out: "program" },
        { in: CORE_ENTRY, out: "core" },
        ...(sources.litApp ? [{ in: sources.litApp.workSide, out: "lit-app" }] : []),
      ],
      absWorkingDir: root,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "esnext",
      // Not keepNames: the names that matter are given back by the program's first module (namesSource).
      minify: true,
      outdir: root,
      entryNames: "[name]",
      chunkNames: "chunk-[hash]",
      write: false,
      metafile: true,
      logLevel: "silent",
      plugins: [virtualEntries(programSource(sources), namesSource(sources), dirname(sources.core))],
    }),
  );
  // The folder is named by what it holds: two processes building the same program make the same folder.
  const hash = createHash("sha256");
  const files = result.outputFiles.map((file) => ({ name: relative(root, file.path), contents: file.contents }));
  for (const file of files.sort((a, b) => a.name.localeCompare(b.name))) hash.update(file.name).update("\0").update(file.contents);
  const dir = hash.digest("hex").slice(0, 32);
  const final = join(root, dir);
  if (!existsSync(join(final, PROGRAM))) {
    const temp = join(root, `${dir}.${process.pid}.${Date.now()}.tmp`);
    await mkdir(temp, { recursive: true });
    try {
      await Promise.all(files.map((file) => writeFile(join(temp, file.name), file.contents)));
      await rename(temp, final).catch(async (error: unknown) => {
        // Another process renamed the same build into place first.
        if (!existsSync(join(final, PROGRAM))) throw error;
      });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }
  const inputs: BuildRecord["inputs"] = [];
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.startsWith("lit-thread-program:")) continue;
    const path = join(root, input);
    const stat = statSync(path);
    inputs.push([path, stat.size, stat.mtimeMs]);
  }
  await writeFileAtomic(record, JSON.stringify({ format: FORMAT, dir, inputs } satisfies BuildRecord));
  await pruneBuilds(root).catch(() => undefined);
  return pathToFileURL(join(final, PROGRAM));
}

/** How old a build no record names (or a temp folder) is before it is removed: threads may still be starting from it. */
const PRUNE_AFTER_MS = 60 * 60_000;

/** Removes the builds that no record names any more (their framework files changed since), once old enough. */
async function pruneBuilds(root: string): Promise<void> {
  const names = await readdir(root);
  const named = new Set<string>();
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    const record = JSON.parse(await readFile(join(root, name), "utf8").catch(() => "{}")) as Partial<BuildRecord>;
    if (typeof record.dir === "string") named.add(record.dir);
  }
  for (const name of names) {
    if (name.endsWith(".json") || named.has(name) || !/^[0-9a-f]{32}(?:\.|$)/.test(name)) continue;
    const stat = statSync(join(root, name), { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > PRUNE_AFTER_MS) await rm(join(root, name), { recursive: true, force: true });
  }
}
