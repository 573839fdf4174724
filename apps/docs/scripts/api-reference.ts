/**
 * reference/api/: the public API of `lit-app`, made by TypeDoc and typedoc-plugin-markdown from
 * packages/lit-app/src/index.ts and the JSDoc of what it exports.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Application, type TypeDocOptions } from "typedoc";
import type { PluginOptions } from "typedoc-plugin-markdown";
import { GENERATED, REPO } from "./paths.ts";

/** Writes reference/api/ anew; rejects when TypeDoc reports an error. */
export async function writeApiReference(): Promise<void> {
  rmSync(GENERATED.api, { recursive: true, force: true });
  const options: Partial<TypeDocOptions & PluginOptions> = {
    entryPoints: [join(REPO, "packages/lit-app/src/index.ts")],
    tsconfig: join(REPO, "packages/lit-app/tsconfig.json"),
    plugin: ["typedoc-plugin-markdown"],
    out: GENERATED.api,
    name: "lit-app",
    readme: "none",
    entryFileName: "index.md",
    excludePrivate: true,
    excludeInternal: true,
    disableSources: true,
    hidePageHeader: true,
    hideBreadcrumbs: true,
    // The packages are checked by their own typecheck; TypeDoc only reads them.
    skipErrorChecking: true,
    logLevel: "Warn",
  };
  const app = await Application.bootstrapWithPlugins(options);
  const project = await app.convert();
  if (!project || app.logger.hasErrors()) throw new Error("TypeDoc could not read packages/lit-app/src/index.ts; see its messages above.");
  await app.generateOutputs(project);
}
