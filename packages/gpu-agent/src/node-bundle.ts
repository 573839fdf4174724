/**
 * One esbuild bundle that `node` (≥ 20) and `bun` run as it is: an ES module
 * with its npm dependencies inside, named by the sha256 of its bytes. The
 * agent and the works' programs for hosts are built this way.
 */
import { createHash } from "node:crypto";
import { isAbsolute, resolve } from "node:path";
import process from "node:process";
import { withEsbuild } from "@lit-app/local-workers/esbuild";

/** What is bundled: an entry file, or a module's source (resolved from `resolveDir`). */
export type NodeBundleInput =
  | { entryPoint: string }
  | { source: { contents: string; resolveDir: string; sourcefile: string } };

/** A built bundle. */
export interface NodeBundle {
  /** The bundle's bytes (an ES module). */
  code: Uint8Array;
  /** The sha256 of `code`, 64 lowercase hex characters. */
  hash: string;
  /** The files it was built from (absolute paths): a build cache finds it stale when one of them changed. */
  inputs: string[];
}

// CommonJS dependencies (ws) call require() for Node's modules: give the bundle one; some (ssh2) read
// __dirname, which an ES module lacks: theirs is the bundle's folder.
const BANNER =
  'import { createRequire as __litCreateRequire } from "node:module"; const require = __litCreateRequire(import.meta.url);' +
  ' const __litBundleFile__ = new URL(import.meta.url).pathname; const __litBundleDir__ = __litBundleFile__.slice(0, __litBundleFile__.lastIndexOf("/"));';

/** Bundles `input` for Node ≥ 20 and Bun. */
export async function buildNodeBundle(input: NodeBundleInput): Promise<NodeBundle> {
  const result = await withEsbuild((esbuild) =>
    esbuild.build({
      ...("entryPoint" in input ? { entryPoints: [input.entryPoint] } : { stdin: { ...input.source, loader: "ts" as const } }),
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: ["node20"],
      // Bun-only modules are Bun's own; a bundle imports them only on Bun. Native addons stay out: the
      // modules that load one (ssh2's optional crypto binding) fall back to JavaScript without it.
      external: ["bun", "*.node"],
      banner: { js: BANNER },
      define: { __dirname: "__litBundleDir__", __filename: "__litBundleFile__" },
      legalComments: "none",
      logLevel: "silent",
      metafile: true,
    }),
  );
  const code = result.outputFiles[0]!.contents;
  // The metafile names files relative to the working folder, and the source given as `contents` by its sourcefile in its resolveDir.
  const source = "source" in input ? resolve(input.source.resolveDir, input.source.sourcefile) : undefined;
  const inputs = Object.keys(result.metafile.inputs)
    .filter((path) => path !== "<stdin>" && !/^[a-z-]+:/.test(path))
    .map((path) => (isAbsolute(path) ? path : resolve(process.cwd(), path)))
    .filter((path) => path !== source);
  return { code, hash: createHash("sha256").update(code).digest("hex"), inputs };
}
