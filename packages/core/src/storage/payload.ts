/**
 * `L.Payload(value)`: a value handed from one work to another through
 * storage rather than state. The work that stores it writes it once as a
 * blob of its storage; state carries only a reference; each work that
 * receives it reads the blob before its `run()` starts.
 */
import { PayloadError, StorageUnavailableError } from "../errors.ts";
import { currentOrigin } from "../origin.ts";
import { registerStateType, toStateValue, type DecodeContext, type JsonValue, type StateLocation, type StateOwner } from "../state-value.ts";
import { loadedWork, isWork, nameOf, storageOf, type WorkName } from "./context.ts";
import { markStorageValue } from "./seen.ts";
import { decodeUtf8, encodeUtf8 } from "./text-codec.ts";

/** What a Payload may hold: JSON data, or bytes. */
export type PayloadValue = JsonValue | Uint8Array;

type Kind = "json" | "bytes";

interface PayloadMeta {
  kind: Kind;
  loaded: boolean;
  value: PayloadValue | undefined;
  origin: WorkName | null;
  hash: string | null;
  size: number;
  holder: StateOwner | undefined;
}

const meta = new WeakMap<Payload, PayloadMeta>();
const HASH = /^[0-9a-f]{64}$/;

function metaOf(payload: Payload): PayloadMeta {
  return meta.get(payload)!;
}

function plainCopy(value: unknown): JsonValue {
  const copy = toStateValue(value, { component: "L.Payload", path: [] });
  const check = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
      throw new PayloadError(`L.Payload: its value holds a ${(v as object).constructor.name}; a Payload holds JSON data or bytes (a Uint8Array).`);
    }
    for (const item of Object.values(v)) check(item);
  };
  check(copy);
  return (copy ?? null) as JsonValue;
}

/**
 * A value handed between works through storage. Make it in a work's `run()`
 * and store it in the work's state; works that receive it (as a `run()`
 * argument, or in a field the flow sets) read `payload.value`. The value is
 * written when the Payload is stored: to send a changed value, store a new Payload.
 * @example
 * class Embed extends L.LightningWork {
 *   vectors: L.Payload<number[][]> | null = null;
 *   async run() {
 *     this.vectors = new L.Payload(computeVectors()); // written once, as a blob
 *   }
 * }
 * class Index extends L.LightningWork {
 *   async run(vectors: L.Payload<number[][]>) {
 *     console.log(vectors.value.length); // read before run() started
 *   }
 * }
 */
export class Payload<T extends PayloadValue = PayloadValue> {
  /**
   * @param value JSON data (copied now) or bytes (a Uint8Array, copied now).
   * @throws StateValueError / PayloadError for a value that is neither.
   */
  constructor(value: T) {
    const kind: Kind = value instanceof Uint8Array ? "bytes" : "json";
    const copy = kind === "bytes" ? new Uint8Array(value as Uint8Array) : plainCopy(value);
    meta.set(this, { kind, loaded: true, value: copy, origin: null, hash: null, size: -1, holder: undefined });
    markStorageValue();
  }

  /** The value, where it was made or received. */
  get value(): T {
    const m = metaOf(this);
    if (!m.loaded) {
      throw new PayloadError(
        `${describe(this)}: its value is not here. A Payload's value is read inside the work that made it, ` +
          `or a work that received it (as a run() argument or in a field the flow set); elsewhere, await payload.get() inside a work.`,
      );
    }
    return m.value as T;
  }

  /** The work that stored it, once one has. */
  get origin(): string | null {
    const origin = metaOf(this).origin;
    return origin === null ? null : nameOf(origin);
  }

  /** The sha256 of its bytes, once stored. */
  get hash(): string | null {
    return metaOf(this).hash;
  }

  /** Reads the value from storage into this work if it is not here yet, and returns it. */
  async get(): Promise<T> {
    const m = metaOf(this);
    const holder = m.holder ?? loadedWork();
    if (!m.loaded) await loadPayload(this, holder, storageOf(holder));
    return m.value as T;
  }

  /** What console.log shows for it (on every runtime). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return describe(this);
  }
}

function describe(payload: Payload): string {
  const m = metaOf(payload);
  const from = m.origin === null ? "" : ` from ${nameOf(m.origin)}`;
  return `Payload(${m.kind}${m.hash ? ` ${m.hash.slice(0, 12)}` : ""}${from})`;
}

/** Whether the value is here (made here, or loaded). */
export function isPayloadLoaded(payload: Payload): boolean {
  return metaOf(payload).loaded;
}

/** Binds a Payload received by a work to that work. */
export function attachPayload(payload: Payload, work: StateOwner): void {
  metaOf(payload).holder = work;
}

/** Reads a Payload's bytes through `storage` into `work` and decodes them. */
export async function loadPayload(payload: Payload, work: StateOwner | undefined, storage: ReturnType<typeof storageOf>): Promise<void> {
  const m = metaOf(payload);
  if (m.loaded) return;
  if (!work || !storage || m.origin === null || m.hash === null) {
    throw new StorageUnavailableError(
      `${describe(payload)} cannot be read here: its value is read inside a work's run(). ` +
        `Under lit-app/testing, give TestApp a storage: new TestApp(app, { storage: new LocalStorage(dir) }).`,
    );
  }
  const bytes = await storage.loadPayload({ hash: m.hash, origin: nameOf(m.origin) }, work.name);
  if (bytes.byteLength !== m.size) {
    throw new PayloadError(`${describe(payload)}: ${work.name} read ${bytes.byteLength} bytes, but ${m.size} were written. Run the work again.`);
  }
  m.value = m.kind === "bytes" ? bytes : (JSON.parse(decodeUtf8(bytes)) as JsonValue);
  m.loaded = true;
}

function adoptPayload(payload: Payload, where: StateLocation): Payload {
  const m = metaOf(payload);
  const owner = where.owner;
  if (m.hash === null && currentOrigin() === "flow") {
    throw new PayloadError(
      `${where.component}: a flow cannot make a Payload: a Payload is written by the work that makes it, in its run(). ` +
        `Pass plain JSON from the flow, or make the Payload in a work and hand it on.`,
    );
  }
  if (!isWork(owner)) return payload;
  if (m.hash === null) {
    const storage = storageOf(owner);
    if (!storage) return payload; // made while the app is being built; the work's side stores it in run()
    const bytes = m.kind === "bytes" ? (m.value as Uint8Array) : encodeUtf8(JSON.stringify(m.value));
    m.hash = storage.savePayload(owner.name, bytes);
    m.size = bytes.byteLength;
    m.origin = owner.name;
    m.holder = owner;
    return payload;
  }
  if (m.holder === owner || (m.origin !== null && nameOf(m.origin) === owner.name)) return payload;
  const copy = Object.create(Payload.prototype) as Payload;
  meta.set(copy, { ...m, loaded: false, value: undefined, holder: owner });
  return copy;
}

function toJSON(payload: Payload): { [key: string]: JsonValue } {
  const m = metaOf(payload);
  if (m.hash === null || m.origin === null) {
    throw new PayloadError(
      `an L.Payload was sent before it was stored: a Payload is stored by the work that makes it, in its run() ` +
        `(this.result = new L.Payload(value)), with storage available there. ` +
        `Under lit-app/testing, give TestApp a storage: new TestApp(app, { storage: new LocalStorage(dir) }).`,
    );
  }
  return { origin: nameOf(m.origin), hash: m.hash, size: m.size, kind: m.kind };
}

function fromJSON(json: { [key: string]: JsonValue }, context?: DecodeContext): Payload {
  const { origin, hash, size, kind } = json;
  if (typeof origin !== "string" || origin === "" || typeof hash !== "string" || !HASH.test(hash)) {
    throw new PayloadError(`a Payload in state has a bad origin or hash (${JSON.stringify({ origin, hash })}); it cannot be read.`);
  }
  if (context?.isWork && !context.isWork(origin)) {
    throw new PayloadError(
      `a Payload was refused: its origin ${JSON.stringify(origin)} is not a work of this app. ` +
        `A Payload's origin is recorded by the framework when a work stores it; it cannot name anything else.`,
    );
  }
  if (typeof size !== "number" || !Number.isInteger(size) || size < 0 || (kind !== "json" && kind !== "bytes")) {
    throw new PayloadError(`a Payload in state has a bad size or kind (${JSON.stringify({ size, kind })}); it cannot be read.`);
  }
  const payload = Object.create(Payload.prototype) as Payload;
  meta.set(payload, { kind, loaded: false, value: undefined, origin, hash, size, holder: undefined });
  markStorageValue();
  return payload;
}

registerStateType<Payload>({ tag: "Payload", type: Payload, toJSON, fromJSON, adopt: adoptPayload });
