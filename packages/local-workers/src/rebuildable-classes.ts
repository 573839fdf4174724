/**
 * The executor's answer to "can a work of this class, created inside a
 * flow's run(), be rebuilt in its thread or process?" (WorkExecutor.canRebuild):
 * yes when a module of the app exports the class. Classes the app's module
 * exports are known at once (its exports are read when the executor is
 * bound, the module being loaded already); for the others the app's modules
 * are looked through once (app-modules.ts), and each answer is kept.
 */
import { pathToFileURL } from "node:url";
import { appModuleFiles } from "./app-modules.ts";

/** Which classes a module of one app exports. */
export class RebuildableClasses {
  private readonly appModule: string;
  private appExports: ReadonlySet<unknown> | undefined;
  private readonly answers = new WeakMap<Function, boolean | Promise<boolean>>();

  /** @param appModule the app module's URL. */
  constructor(appModule: string) {
    this.appModule = appModule;
  }

  /** Reads the app module's exports, so that classes exported there are answered at once. */
  prepare(): void {
    if (this.appExports) return;
    import(this.appModule).then(
      (exports: Record<string, unknown>) => (this.appExports ??= new Set(Object.values(exports))),
      () => undefined,
    );
  }

  /** True when a module of the app exports `cls`; a Promise of the answer the first time it must be looked for. */
  canRebuild(cls: Function): boolean | Promise<boolean> {
    if (this.appExports?.has(cls)) return true;
    const known = this.answers.get(cls);
    if (known !== undefined) return known;
    const answer = this.search(cls).then((found) => {
      this.answers.set(cls, found);
      return found;
    });
    this.answers.set(cls, answer);
    return answer;
  }

  /** Whether a module of the app exports `cls`; true when the modules cannot be looked through (the work's side then decides). */
  private async search(cls: Function): Promise<boolean> {
    try {
      for (const file of await appModuleFiles(this.appModule)) {
        const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
        if (Object.values(exports).includes(cls)) return true;
      }
      return false;
    } catch {
      return true;
    }
  }
}
