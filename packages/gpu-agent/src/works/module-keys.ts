/**
 * The names of an app's modules in its programs for hosts (the work program,
 * a deployed flow's program): each module by its path from the app's folder,
 * with `/` (`notebook.ts`, `lib/model.ts`). A work created inside run() is
 * rebuilt on its host from the module that exports its class: the flow names
 * that module by its key wherever the flow runs (this machine for
 * `lit run --host`, a host for `lit deploy`), and the work's program finds
 * it under the same key, or (the agent's default program) beside the app's
 * module on the host.
 */
import { dirname, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** An app's modules as a program carries them (bundled), each by its key. */
export interface CarriedAppModules {
  /** The key of the app's own module. */
  app: string;
  /** Each module's import, by key: the app's own and the modules it imports as it loads. */
  modules: Readonly<Record<string, () => Promise<unknown>>>;
}

const asPath = (module: string): string => (module.startsWith("file:") ? fileURLToPath(module) : module);

/** The key of `module` (a path or file URL) among the modules of the app whose module is `appModule` (a path or file URL). */
export function appModuleKey(appModule: string, module: string): string {
  return relative(dirname(asPath(appModule)), asPath(module)).split(sep).join("/");
}

/** The file URL of the module whose key is `key`, beside the app's module `appModule` (a file URL or path). */
export function appModuleByKey(appModule: string, key: string): string {
  return pathToFileURL(resolve(dirname(asPath(appModule)), ...key.split("/"))).href;
}
