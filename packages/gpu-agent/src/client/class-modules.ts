/**
 * Where the controller finds the module of the app that exports the class of
 * a work created inside run(), named as the host's work program knows it
 * (its key, module-keys.ts): among the app's files on this machine (the flow
 * runs from the app's folder, as `lit run --host` does), or among the modules
 * the flow's own program carries (a deployed flow: its host has the program
 * built elsewhere, whose modules are not its files).
 */
import { findClassExport, RebuildableClasses } from "@lit-app/local-workers";
import { appModuleKey, type CarriedAppModules } from "../works/module-keys.ts";

/** The module that exports a class: its key and the class's name there. */
export interface ClassModule {
  classModule: string;
  exportName: string;
}

/** The app's modules, looked through for the classes of works created inside run(). */
export interface ClassModules {
  /** Starts reading what can be read at once (the app's module's exports). */
  prepare(): void;
  /** Whether a module of the app exports `cls` (a Promise the first time it must be looked for). */
  canRebuild(cls: Function): boolean | Promise<boolean>;
  /** The module other than the app's own that exports `cls`; none: the work looks in the app's module. */
  find(cls: Function): Promise<ClassModule | undefined>;
}

/** The app's modules among the files of the app whose module is `appModule` (a file URL here). */
export function classesInFiles(appModule: string): ClassModules {
  const classes = new RebuildableClasses(appModule);
  return {
    prepare: () => classes.prepare(),
    canRebuild: (cls) => classes.canRebuild(cls),
    async find(cls) {
      const exported = await findClassExport(appModule, cls);
      return exported && { classModule: appModuleKey(appModule, exported.module), exportName: exported.exportName };
    },
  };
}

/** The app's modules as this program carries them. */
export function classesInModules(carried: CarriedAppModules): ClassModules {
  // null: the modules could not be looked through (the work's side then decides).
  const found = new WeakMap<Function, Promise<{ key: string; exportName: string } | null | undefined>>();
  const search = async (cls: Function) => {
    for (const [key, load] of Object.entries(carried.modules)) {
      const exports = (await load()) as Record<string, unknown>;
      for (const [exportName, value] of Object.entries(exports)) if (value === cls) return { key, exportName };
    }
    return undefined;
  };
  const lookUp = (cls: Function) => {
    let result = found.get(cls);
    if (!result) found.set(cls, (result = search(cls).catch(() => null)));
    return result;
  };
  return {
    prepare: () => undefined,
    canRebuild: (cls) => lookUp(cls).then((where) => where !== undefined),
    async find(cls) {
      const where = await lookUp(cls);
      return where && where.key !== carried.app ? { classModule: where.key, exportName: where.exportName } : undefined;
    },
  };
}
