/** Builds the site as `npm run build` does (reference first, then VitePress), into a folder of the caller's. */
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { DOCS } from "../../scripts/paths.ts";

const run = promisify(execFile);

/** Seconds each step took. */
export interface BuildTimes {
  reference: number;
  vitepress: number;
}

/** Writes the generated reference and builds the site into `outDir`; rejects with the build's output when it fails. */
export async function buildSite(outDir: string): Promise<BuildTimes> {
  const require = createRequire(join(DOCS, "package.json"));
  const vitepress = join(dirname(require.resolve("vitepress/package.json")), "bin/vitepress.js");
  const options = { cwd: DOCS, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } };
  const step = async (args: string[]) => {
    const started = Date.now();
    try {
      await run(process.execPath, args, options);
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${args.join(" ")} failed in apps/docs:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
    }
    return (Date.now() - started) / 1000;
  };
  const reference = await step(["--import", "tsx", "scripts/reference.ts"]);
  const site = await step([vitepress, "build", ".", "--outDir", outDir]);
  return { reference, vitepress: site };
}
