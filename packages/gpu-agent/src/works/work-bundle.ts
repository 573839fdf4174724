/**
 * An app's work program for hosts: the work process (work-process.ts) and
 * the app's module bundled by esbuild into one ES module with its npm
 * dependencies, which `node` (≥ 20) and `bun` run as it is, so that the app
 * and the framework share one copy of the core. Named by its sha256: the
 * controller uploads it to `<home>/agent/programs/<hash>.mjs` unless the
 * host has it, and names it in `RemoteExecutor`'s `program`.
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { withEsbuild } from "../esbuild-use.ts";

const WORK_PROCESS = fileURLToPath(new URL("./work-process.ts", import.meta.url));
// CommonJS dependencies call require() for Node's modules: give the bundle one.
const BANNER = 'import { createRequire as __litCreateRequire } from "node:module"; const require = __litCreateRequire(import.meta.url);';

/** A built work program. */
export interface WorkBundle {
  /** The bundle's bytes (an ES module). */
  code: Uint8Array;
  /** The sha256 of `code`, hex. */
  hash: string;
  /** `<hash>.mjs`: its name in the agent's program folder, what `program` names. */
  fileName: string;
}

/** Builds the work program of the app whose module is the file `appPath`. */
export async function buildWorkBundle(appPath: string): Promise<WorkBundle> {
  const result = await withEsbuild((esbuild) =>
    esbuild.build({
      stdin: {
        contents:
          `process.setSourceMapsEnabled?.(true);\n` +
          `import { runWorkProcess } from ${JSON.stringify(WORK_PROCESS)};\n` +
          `await runWorkProcess(() => import(${JSON.stringify(appPath)}));\n`,
        resolveDir: dirname(appPath),
        sourcefile: "lit-work-program.ts",
        loader: "ts",
      },
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: ["node20"],
      // Bun-only modules are Bun's own; the bundle imports them only on Bun.
      external: ["bun"],
      banner: { js: BANNER },
      legalComments: "none",
      logLevel: "silent",
    }),
  );
  const code = result.outputFiles[0]!.contents;
  const hash = createHash("sha256").update(code).digest("hex");
  return { code, hash, fileName: `${hash}.mjs` };
}
