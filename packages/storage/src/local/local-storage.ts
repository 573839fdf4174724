/**
 * The storage port on this machine: each work's storage root is a folder
 * `<dir>/<work's dotted name>/`; a Path handed from one work to another is
 * copied between their roots with this package's `sync` (content-addressed,
 * verified, atomic, resumable: an unchanged file or folder costs ~0 bytes);
 * Payloads are files `.lit-payloads/<sha256>` of the root that wrote them.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { MissingPathError, PayloadError } from "@lit-app/core";
import { normalizePath, type DriveSpec, type StoragePort } from "@lit-app/core/internal";
import { writeFileAtomicSync } from "@lit-app/runtime";
// The errors alone: the transfer engine itself is loaded on first use.
import { isNoSpace, NoSpaceError } from "../errors.ts";
import type { LocalRoot } from "../root.ts";
import { driveDelete, driveGet, driveList, drivePut, type DriveContext } from "./drive-store.ts";
import { storageLib } from "./engine.ts";
import { removeEmptyDirs, removeIfNoFiles } from "./folders.ts";
import { workKey } from "./work-key.ts";

const PAYLOADS = ".lit-payloads";
const HASH = /^[0-9a-f]{64}$/;

/** One copy made between storage roots. */
export interface TransferReport {
  kind: "path" | "payload";
  path: string;
  from: string;
  into: string;
  /** Bytes copied: ~0 when the receiver had everything already. */
  bytesSent: number;
  /** Files (re)written in the receiving root. */
  filesWritten: number;
}

/** Options of {@link LocalStorage}. */
export interface LocalStorageOptions {
  /** Called after each copy between works' roots. */
  onTransfer?: (report: TransferReport) => void;
}

/**
 * Storage roots of an app's works in a folder of this machine.
 * @example
 * const storage = new LocalStorage("/tmp/my-app-storage");
 * const t = new TestApp(app, { storage }); // lit-app/testing re-exports it
 */
export class LocalStorage implements StoragePort {
  /** The folder holding every work's root (absolute). */
  readonly dir: string;
  private readonly roots = new Map<string, Promise<LocalRoot>>();
  /** Roots known to exist (String(path) is called often). */
  private readonly made = new Set<string>();
  private readonly onTransfer: LocalStorageOptions["onTransfer"];
  private readonly drives: DriveContext;

  constructor(dir: string, options: LocalStorageOptions = {}) {
    this.dir = resolve(dir);
    this.onTransfer = options.onTransfer;
    this.drives = {
      driveDir: (id) => join(this.dir, ".drives", id),
      driveRoot: (id) => this.root(join(this.dir, ".drives", id)),
      workDir: (work) => this.workDir(work),
      workRoot: (work) => this.root(this.workDir(work)),
      sync: (...args) => storageLib().then((lib) => lib.sync(...args)),
    };
  }

  /** The storage root of a work (not made). */
  workDir(work: string): string {
    return join(this.dir, workKey(work));
  }

  localPath(work: string, path: string): string {
    const root = this.workDir(work);
    if (!this.made.has(root)) {
      mkdirSync(root, { recursive: true });
      this.made.add(root);
    }
    return join(root, ...normalizePath("storage", path).split("/"));
  }

  exists(work: string, path: string): boolean {
    return existsSync(join(this.workDir(work), ...normalizePath("storage", path).split("/")));
  }

  async materialize(path: { path: string; origin: string }, intoWork: string): Promise<void> {
    const name = normalizePath(`the Path "${path.path}" from ${path.origin}`, path.path);
    if (path.origin === intoWork) return;
    await this.copy("path", name, path.origin, intoWork, () => new MissingPathError(name, path.origin, intoWork));
  }

  savePayload(work: string, bytes: Uint8Array): string {
    const hash = createHash("sha256").update(bytes).digest("hex");
    const folder = join(this.workDir(work), PAYLOADS);
    const file = join(folder, hash);
    if (!existsSync(file)) {
      try {
        mkdirSync(folder, { recursive: true });
        writeFileAtomicSync(file, bytes);
      } catch (error) {
        if (!isNoSpace(error)) throw error;
        throw this.noSpace(new NoSpaceError("local", `${PAYLOADS}/${hash}`, this.workDir(work), error, { bytes: bytes.byteLength }), `${work} was saving a Payload`);
      }
    }
    return hash;
  }

  async loadPayload(payload: { hash: string; origin: string }, intoWork: string): Promise<Uint8Array> {
    const { hash, origin } = payload;
    if (!HASH.test(hash)) throw new PayloadError(`${intoWork}: a Payload from ${origin} has a bad id ${JSON.stringify(hash)}.`);
    const name = `${PAYLOADS}/${hash}`;
    if (origin !== intoWork) {
      await this.copy("payload", name, origin, intoWork, () => new PayloadError(
        `${intoWork} was handed a Payload from ${origin}, but it is not in ${origin}'s storage (${this.workDir(origin)}): ` +
          `its storage was removed, or it was written on another machine. Run ${origin} again.`,
      ));
    }
    const bytes = new Uint8Array(await readFile(join(this.workDir(intoWork), PAYLOADS, hash)));
    if (createHash("sha256").update(bytes).digest("hex") !== hash) {
      throw new PayloadError(`${intoWork}: the Payload ${hash} from ${origin} is corrupted on disk (its bytes do not match its sha256). Run ${origin} again.`);
    }
    return bytes;
  }

  async drivePut(drive: DriveSpec, work: string, path: string): Promise<void> {
    const name = normalizePath(`lit://${drive.id}.put("${path}")`, path);
    return drivePut(this.drives, drive, work, name).catch((error: unknown) => {
      throw this.noSpace(error, `${work} was putting "${name}" in the Drive lit://${drive.id}`);
    });
  }

  async driveGet(drive: DriveSpec, work: string, path: string, from: string | undefined): Promise<void> {
    const name = normalizePath(`lit://${drive.id}.get("${path}")`, path);
    return driveGet(this.drives, drive, work, name, from).catch((error: unknown) => {
      throw this.noSpace(error, `${work} was getting "${name}" from the Drive lit://${drive.id}`);
    });
  }

  async driveList(drive: DriveSpec, prefix: string, from: string | undefined): Promise<string[]> {
    return driveList(this.drives, drive, prefix, from);
  }

  async driveDelete(drive: DriveSpec, work: string, path: string): Promise<void> {
    return driveDelete(this.drives, drive, work, normalizePath(`lit://${drive.id}.delete("${path}")`, path));
  }

  /**
   * Removes the work's storage root if the work left no file in it (only the
   * empty folders made for it), then the app's storage folder and the folders
   * of `above` (innermost first) while they are empty. Files are never removed.
   */
  removeIfEmpty(work: string, above: readonly string[] = []): void {
    const root = this.workDir(work);
    this.made.delete(root);
    if (removeIfNoFiles(root)) removeEmptyDirs([this.dir, ...above]);
  }

  private root(dir: string): Promise<LocalRoot> {
    let root = this.roots.get(dir);
    if (!root) {
      root = storageLib().then((lib) => lib.localRoot(dir));
      this.roots.set(dir, root);
    }
    return root;
  }

  private async copy(kind: TransferReport["kind"], path: string, from: string, into: string, missing: () => Error): Promise<void> {
    const lib = await storageLib();
    const [source, target] = await Promise.all([this.root(this.workDir(from)), this.root(this.workDir(into))]);
    try {
      const report = await lib.sync(source, target, path);
      this.onTransfer?.({ kind, path, from, into, bytesSent: report.bytesSent, filesWritten: report.filesWritten });
    } catch (error) {
      if ((error as { code?: unknown }).code === "E_PATH_NOT_FOUND") throw missing();
      const what = kind === "path" ? `the Path "${path}"` : "a Payload";
      throw this.noSpace(error, `${into} was receiving ${what} from ${from}`);
    }
  }

  /** A full disk said in the app's terms: what the work was doing, and the storage folder to make room in. */
  private noSpace(error: unknown, doing: string): unknown {
    if (!(error instanceof NoSpaceError)) return error;
    return new NoSpaceError("local", error.path, error.location, error, {
      ...(error.bytes === undefined ? {} : { bytes: error.bytes }),
      hint:
        `${doing}; the works' storage folder is ${this.dir}. ` +
        "Free space on its disk, or set LIT_STORAGE_DIR to a folder on a larger one.",
    });
  }
}
