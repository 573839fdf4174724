/**
 * A storage port over Maps, for the core's own tests: what the core asks of
 * its storage (which files, from which work, into which, when) is recorded.
 * Real storage (files, roots, transfers) is LocalStorage, in @lit-app/storage/local.
 */
import { DriveConflictError, DriveNotFoundError, DriveOwnershipError, MissingPathError } from "../errors.ts";
import type { DriveSpec, StoragePort } from "../ports.ts";

/** One call the core made. */
export type StorageCall =
  | { op: "materialize"; path: string; origin: string; into: string }
  | { op: "savePayload"; work: string; text: string }
  | { op: "loadPayload"; hash: string; origin: string; into: string }
  | { op: "drive"; method: "put" | "get" | "list" | "delete"; drive: string; work: string; path: string };

const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** Storage roots as Maps of file name to content, one per work. */
export class MemoryStorage implements StoragePort {
  readonly calls: StorageCall[] = [];
  private readonly roots = new Map<string, Map<string, string>>();
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly drives = new Map<string, Map<string, string>>();

  /** The files of a work's root. */
  root(work: string): Map<string, string> {
    let root = this.roots.get(work);
    if (!root) this.roots.set(work, (root = new Map()));
    return root;
  }

  write(work: string, path: string, content: string): void {
    this.root(work).set(path, content);
  }

  localPath(work: string, path: string): string {
    return `/storage/${work}/${path}`;
  }

  exists(work: string, path: string): boolean {
    return [...this.root(work).keys()].some((f) => f === path || f.startsWith(`${path}/`));
  }

  async materialize(path: { path: string; origin: string }, into: string): Promise<void> {
    this.calls.push({ op: "materialize", path: path.path, origin: path.origin, into });
    if (!this.exists(path.origin, path.path)) throw new MissingPathError(path.path, path.origin, into);
    for (const [name, content] of this.root(path.origin)) {
      if (name === path.path || name.startsWith(`${path.path}/`)) this.write(into, name, content);
    }
  }

  savePayload(work: string, bytes: Uint8Array): string {
    this.calls.push({ op: "savePayload", work, text: text(bytes) });
    const hash = (this.blobs.size + 1).toString(16).padStart(64, "0");
    this.blobs.set(`${work}/${hash}`, new Uint8Array(bytes));
    return hash;
  }

  async loadPayload(payload: { hash: string; origin: string }, into: string): Promise<Uint8Array> {
    this.calls.push({ op: "loadPayload", hash: payload.hash, origin: payload.origin, into });
    const bytes = this.blobs.get(`${payload.origin}/${payload.hash}`);
    if (!bytes) throw new Error(`no payload ${payload.hash} in ${payload.origin}`);
    return bytes;
  }

  private drive(spec: DriveSpec): Map<string, string> {
    let drive = this.drives.get(spec.id);
    if (!drive) this.drives.set(spec.id, (drive = new Map()));
    return drive;
  }

  async drivePut(spec: DriveSpec, work: string, path: string): Promise<void> {
    this.calls.push({ op: "drive", method: "put", drive: spec.id, work, path });
    const owner = this.drive(spec).get(path);
    if (owner && owner !== work && !spec.allowDuplicates) throw new DriveConflictError(`lit://${spec.id}`, path, owner, work);
    this.drive(spec).set(path, work);
  }

  async driveGet(spec: DriveSpec, work: string, path: string, from: string | undefined): Promise<void> {
    this.calls.push({ op: "drive", method: "get", drive: spec.id, work, path });
    const owner = from ?? this.drive(spec).get(path);
    if (!owner) throw new DriveNotFoundError(`lit://${spec.id}`, path, `no work put "${path}"`);
  }

  async driveList(spec: DriveSpec, prefix: string, from: string | undefined): Promise<string[]> {
    this.calls.push({ op: "drive", method: "list", drive: spec.id, work: from ?? "", path: prefix });
    return [...this.drive(spec)].filter(([p, w]) => p.startsWith(prefix) && (!from || w === from)).map(([p]) => p).sort();
  }

  async driveDelete(spec: DriveSpec, work: string, path: string): Promise<void> {
    this.calls.push({ op: "drive", method: "delete", drive: spec.id, work, path });
    const owner = this.drive(spec).get(path);
    if (!owner) throw new DriveNotFoundError(`lit://${spec.id}`, path, `no work put "${path}"`);
    if (owner !== work) throw new DriveOwnershipError(`lit://${spec.id}`, path, owner, work);
    this.drive(spec).delete(path);
  }
}
