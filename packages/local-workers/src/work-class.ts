/**
 * A work created inside a flow's run() is rebuilt in its thread from its
 * class. The flow finds which module of the app exports that class (the
 * thread then imports that module, already loaded with the app's, so it
 * costs next to nothing); a class exported from no module fails the work with
 * the user's line that created it.
 */
import { WorkClassError } from "@lit-app/core";
import type { WorkCreation } from "@lit-app/core/internal";
import { pathToFileURL } from "node:url";
import { appModuleFiles } from "./app-modules.ts";
import { frameLocation, userFrames } from "./worker/user-frames.ts";

/** Where a class is exported: the module's URL and the name it has there. */
export interface ClassExport {
  module: string;
  exportName: string;
}

const found = new Map<string, WeakMap<Function, Promise<ClassExport | undefined>>>();

/**
 * The module of the app (other than the app's module itself, which the
 * thread looks in anyway) that exports `cls`, looked for once per class.
 * Only modules the app's module imports when it loads are looked in: they
 * have run already, so importing them here runs nothing.
 */
export function findClassExport(appModule: string, cls: Function): Promise<ClassExport | undefined> {
  let classes = found.get(appModule);
  if (!classes) found.set(appModule, (classes = new WeakMap()));
  let result = classes.get(cls);
  if (!result) {
    result = search(appModule, cls).catch(() => undefined);
    classes.set(cls, result);
  }
  return result;
}

async function search(appModule: string, cls: Function): Promise<ClassExport | undefined> {
  const files = await appModuleFiles(appModule);
  for (const file of files.slice(1)) {
    const module = pathToFileURL(file).href;
    const exports = (await import(module)) as Record<string, unknown>;
    for (const [exportName, value] of Object.entries(exports)) if (value === cls) return { module, exportName };
  }
  return undefined;
}

/** The failure of a work whose class its thread could not find: says so at the line that created the work. */
export function classNotExported(name: string, className: string, creation: WorkCreation): WorkClassError {
  const frames = userFrames(creation.site.stack ?? "");
  // The constructors of the class and of its own base classes (V8 shows them at the class's line) are not where it was created.
  const ctors = new Set<string>();
  for (let c = creation.cls; c && c.name && c.name !== "LightningWork"; c = Object.getPrototypeOf(c) as Function) ctors.add(c.name);
  const site = frames.find((frame) => !ctors.has(/^\s*at new (\S+) /.exec(frame)?.[1] ?? ""));
  const where = site ? `, created at ${frameLocation(site)},` : "";
  const error = new WorkClassError(
    `${name}: the work's class ${className}${where} is exported from no module of the app, so the work's thread cannot rebuild it ` +
      `(a work created inside run() is rebuilt where it runs from its class). Write \`export class ${className}\` in the module that defines it.`,
  );
  // The stack starts at that line.
  error.stack = [`${error.name}: ${error.message}`, ...frames.slice(site ? frames.indexOf(site) : 0)].join("\n");
  return error;
}
