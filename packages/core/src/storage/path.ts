/**
 * `L.Path`: a file or folder in a work's storage root that keeps track of the
 * work that wrote it (its origin), so that it can follow the data to the works
 * that receive it, wherever they run.
 */
import { PathError, StorageUnavailableError } from "../errors.ts";
import { registerStateType, type DecodeContext, type JsonValue, type StateLocation, type StateOwner } from "../state-value.ts";
import { loadedWork, isWork, nameOf, storageOf, type WorkName } from "./context.ts";
import { normalizePath } from "./relative-path.ts";
import { markStorageValue } from "./seen.ts";

interface PathMeta {
  origin: WorkName | null;
  consumers: WorkName[];
  /** The work whose storage root this copy resolves in. */
  holder: StateOwner | undefined;
}

const meta = new WeakMap<Path, PathMeta>();

function metaOf(path: Path): PathMeta {
  return meta.get(path)!;
}

/**
 * A file or folder of a work, named relative to the work's storage root.
 * Store it in a work's field (or make it in a work's run()): that work is its
 * origin. Hand it to another work (as a `run()` argument, or in a field the
 * flow sets) and the file or folder is copied into that work's storage root
 * before its `run()` starts.
 * @example
 * class Source extends L.LightningWork {
 *   out: L.Path | null = null;
 *   async run() {
 *     this.out = new L.Path("boring_file.txt");
 *     await writeFile(String(this.out), "hello");
 *   }
 * }
 * class Reader extends L.LightningWork {
 *   async run(file: L.Path) {
 *     console.log(await readFile(String(file), "utf8")); // the Source's file, here
 *   }
 * }
 */
export class Path {
  /** The name inside a work's storage root: relative, `/`-separated, e.g. `models/best.pt`. */
  readonly path: string;

  /**
   * @param path a relative name; `..`, absolute names and names starting with `.lit` are refused.
   * @throws PathError saying why the name was refused.
   */
  constructor(path: string) {
    this.path = normalizePath(`L.Path(${JSON.stringify(path)})`, path);
    meta.set(this, { origin: loadedWork() ?? null, consumers: [], holder: undefined });
    markStorageValue();
  }

  /** The dotted name of the work that wrote (or is to write) it; `null` until a work stores it. */
  get origin(): string | null {
    const origin = metaOf(this).origin;
    return origin === null ? null : nameOf(origin);
  }

  /** The works it was handed to, other than its origin. */
  get consumers(): string[] {
    const origin = this.origin;
    return [...new Set(metaOf(this).consumers.map(nameOf))].filter((name) => name !== origin);
  }

  /** Whether the file or folder is in the current work's storage root now. */
  exists(): boolean {
    const { work, storage } = here(this, "exists()");
    return storage.exists(work, this.path);
  }

  /**
   * Copies the latest version from the origin's storage root into the current
   * work's (done before `run()` starts already; call it to fetch again) and
   * returns its local path.
   */
  async get(): Promise<string> {
    const { work, storage } = here(this, "get()");
    const origin = this.origin;
    if (origin !== null && origin !== work) await storage.materialize({ path: this.path, origin }, work);
    return storage.localPath(work, this.path);
  }

  /** The absolute path of the file in the current work's storage root (inside a flow: the relative name). */
  toString(): string {
    const holder = metaOf(this).holder ?? loadedWork();
    const storage = storageOf(holder);
    return holder && storage ? storage.localPath(holder.name, this.path) : this.path;
  }

  /** What console.log shows for it (on every runtime). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    const origin = this.origin;
    return `Path(${JSON.stringify(this.path)}${origin ? ` from ${origin}` : ""})`;
  }
}

function here(path: Path, method: string): { work: string; storage: NonNullable<ReturnType<typeof storageOf>> } {
  const holder = metaOf(path).holder ?? loadedWork();
  const storage = storageOf(holder);
  if (!holder || !storage) {
    throw new StorageUnavailableError(
      `Path("${path.path}").${method} was called where no work's storage is${path.origin ? ` (its origin is ${path.origin})` : ""}: ` +
        `call it inside a work's run(). A flow passes Paths to works; it does not read their files. ` +
        `Under lit-app/testing, give TestApp a storage: new TestApp(app, { storage: new LocalStorage(dir) }).`,
    );
  }
  return { work: holder.name, storage };
}

/** Binds a Path received by a work (a `run()` argument, a field set by the flow) to that work. */
export function attachPath(path: Path, work: StateOwner): void {
  const m = metaOf(path);
  m.holder = work;
  m.origin ??= work;
}

/** The copy of `path` to store in `owner`'s state: its origin is kept (or becomes `owner`), `owner` holds it. */
function adoptPath(path: Path, where: StateLocation): Path {
  const owner = where.owner;
  if (!isWork(owner)) return path;
  const m = metaOf(path);
  if (m.holder === owner) return path;
  const copy = new Path(path.path);
  const origin = m.origin ?? owner;
  const consumers = origin === owner ? [...m.consumers] : [...m.consumers, owner];
  meta.set(copy, { origin, consumers, holder: owner });
  return copy;
}

function fromJSON(json: { [key: string]: JsonValue }, context?: DecodeContext): Path {
  const origin = json.origin;
  if (typeof origin === "string" && origin !== "" && context?.isWork && !context.isWork(origin)) {
    throw new PathError(
      String(json.path),
      `the Path ${JSON.stringify(json.path)} was refused: its origin ${JSON.stringify(origin)} is not a work of this app. ` +
        `A Path's origin is recorded by the framework when a work stores it; it cannot name anything else.`,
    );
  }
  const path = new Path(json.path as string);
  const m = metaOf(path);
  m.origin = typeof origin === "string" && origin !== "" ? origin : null;
  m.consumers = Array.isArray(json.consumers) ? json.consumers.filter((c): c is string => typeof c === "string") : [];
  return path;
}

registerStateType<Path>({
  tag: "Path",
  type: Path,
  toJSON: (p) => ({ path: p.path, origin: p.origin, consumers: p.consumers }),
  fromJSON,
  adopt: adoptPath,
});
