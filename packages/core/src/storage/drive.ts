/**
 * `L.Drive("lit://name")`: storage shared by the works of an app. Each work
 * puts files under its own name; any work gets or lists them; only the work
 * that put a file deletes it.
 */
import { DriveError, StorageUnavailableError } from "../errors.ts";
import type { DriveSpec, StoragePort } from "../ports.ts";
import { registerStateType, type JsonValue, type StateLocation, type StateOwner } from "../state-value.ts";
import { loadedWork, isWork, storageOf } from "./context.ts";
import { Path } from "./path.ts";
import { normalizePath, normalizePrefix } from "./relative-path.ts";
import { markStorageValue } from "./seen.ts";

/** Options of a {@link Drive}. */
export interface DriveOptions {
  /** Let several works put the same name (each keeps its own copy). Default `false`: the second put is an error. */
  allowDuplicates?: boolean;
}

/** Options of {@link Drive.get} and {@link Drive.list}. */
export interface DriveFromOptions {
  /** Only the files this work (dotted name) put. */
  from?: string;
}

const PREFIX = "lit://";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const holders = new WeakMap<Drive, StateOwner>();

/**
 * A Drive shared by the works of an app. Its methods run inside a work's
 * `run()`; names are relative to the work's storage root.
 * @example
 * class Producer extends L.LightningWork {
 *   drive = new L.Drive("lit://artifacts");
 *   async run() {
 *     await writeFile(String(new L.Path("report.txt")), "done");
 *     await this.drive.put("report.txt");
 *   }
 * }
 * class Consumer extends L.LightningWork {
 *   async run(drive: L.Drive) {
 *     await drive.get("report.txt"); // now in this work's storage root
 *   }
 * }
 */
export class Drive {
  /** The Drive's name (its id without `lit://`). */
  readonly id: string;
  readonly allowDuplicates: boolean;

  /**
   * @param id `lit://` followed by a name of letters, digits, `.`, `_` and `-`.
   * @throws DriveError for another protocol, an empty or malformed name, or a bad option.
   */
  constructor(id: string, options: DriveOptions = {}) {
    const shown = `L.Drive(${JSON.stringify(id)})`;
    if (typeof id !== "string" || !id.startsWith(PREFIX)) {
      throw new DriveError(`${shown}: a Drive's id starts with "${PREFIX}" followed by its name, e.g. "lit://artifacts".`);
    }
    const name = id.slice(PREFIX.length);
    if (!NAME.test(name)) {
      throw new DriveError(
        `${shown}: the name after "${PREFIX}" must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit ` +
          `(no "/": a Drive is one shared folder), e.g. "lit://artifacts".`,
      );
    }
    if (options === null || typeof options !== "object") throw new DriveError(`${shown}: options must be an object such as { allowDuplicates: true }.`);
    for (const key of Object.keys(options)) {
      if (key !== "allowDuplicates") throw new DriveError(`${shown}: unknown option "${key}". Valid options: allowDuplicates.`);
    }
    if (options.allowDuplicates !== undefined && typeof options.allowDuplicates !== "boolean") {
      throw new DriveError(`${shown}: option "allowDuplicates" must be true or false, got ${JSON.stringify(options.allowDuplicates)}.`);
    }
    this.id = name;
    this.allowDuplicates = options.allowDuplicates ?? false;
    markStorageValue();
  }

  /** Copies a file or folder of the current work's storage root into the Drive, under the work's name. */
  async put(path: string | Path): Promise<void> {
    const { work, storage, name } = this.here("put", path);
    await storage.drivePut(this.spec(), work, name);
  }

  /** Copies a file or folder from the Drive into the current work's storage root; returns its local path. */
  async get(path: string | Path, options: DriveFromOptions = {}): Promise<string> {
    const { work, storage, name } = this.here("get", path);
    await storage.driveGet(this.spec(), work, name, this.from(options));
    return storage.localPath(work, name);
  }

  /** The files in the Drive whose names start with `prefix` (all by default), sorted. */
  async list(prefix = "", options: DriveFromOptions = {}): Promise<string[]> {
    const { storage } = this.here("list");
    return storage.driveList(this.spec(), normalizePrefix(`${this}.list(${JSON.stringify(prefix)})`, prefix), this.from(options));
  }

  /** Removes a file or folder the current work put. Another work's files cannot be deleted. */
  async delete(path: string | Path): Promise<void> {
    const { work, storage, name } = this.here("delete", path);
    await storage.driveDelete(this.spec(), work, name);
  }

  toString(): string {
    return `${PREFIX}${this.id}`;
  }

  private spec(): DriveSpec {
    return { id: this.id, allowDuplicates: this.allowDuplicates };
  }

  private from(options: DriveFromOptions): string | undefined {
    if (options.from !== undefined && (typeof options.from !== "string" || options.from === "")) {
      throw new DriveError(`${this}: option "from" must be a work's dotted name such as "root.train".`);
    }
    return options.from;
  }

  private here(method: string, path?: string | Path): { work: string; storage: StoragePort; name: string } {
    const holder = holders.get(this) ?? loadedWork();
    const storage = storageOf(holder);
    const shown = path === undefined ? "" : JSON.stringify(path instanceof Path ? path.path : path);
    if (!holder || !storage) {
      throw new StorageUnavailableError(
        `${this}.${method}(${shown}) was called where no work's storage is: call it inside a work's run(). ` +
          `A flow hands Drives to works; it does not put or get files. ` +
          `Under lit-app/testing, give TestApp a storage: new TestApp(app, { storage: new LocalStorage(dir) }).`,
      );
    }
    const name = path === undefined ? "" : path instanceof Path ? path.path : normalizePath(`${this}.${method}(${shown})`, path);
    return { work: holder.name, storage, name };
  }
}

/** Binds a Drive received by a work to that work. */
export function attachDrive(drive: Drive, work: StateOwner): void {
  holders.set(drive, work);
}

function adoptDrive(drive: Drive, where: StateLocation): Drive {
  if (!isWork(where.owner) || holders.get(drive) === where.owner) return drive;
  const copy = new Drive(String(drive), { allowDuplicates: drive.allowDuplicates });
  holders.set(copy, where.owner);
  return copy;
}

function fromJSON(json: { [key: string]: JsonValue }): Drive {
  return new Drive(`${PREFIX}${String(json.id)}`, { allowDuplicates: json.allowDuplicates === true });
}

registerStateType<Drive>({
  tag: "Drive",
  type: Drive,
  toJSON: (d) => ({ id: d.id, allowDuplicates: d.allowDuplicates }),
  fromJSON,
  adopt: adoptDrive,
});
