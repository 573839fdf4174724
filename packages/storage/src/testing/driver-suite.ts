import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Driver } from "../driver.ts";
import { StorageError } from "../errors.ts";
import { hashBytes } from "../hash.ts";
import { collect } from "../streams.ts";

/** A fresh, empty driver for one test, and how to clean up after it. */
export interface DriverFixture {
  readonly driver: Driver;
  readonly cleanup: () => Promise<void>;
}

/** Streams `bytes` in chunks of `chunk` bytes, yielding to the event loop between chunks. */
export async function* chunked(bytes: Uint8Array, chunk = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += chunk) {
    await new Promise((r) => setTimeout(r, 0));
    yield bytes.subarray(i, Math.min(i + chunk, bytes.byteLength));
  }
}

/** Streams the first `stopAt` bytes of `bytes`, then fails as a dropped connection would. */
async function* breaksAfter(bytes: Uint8Array, stopAt: number, chunk = 64 * 1024): AsyncGenerator<Uint8Array> {
  for await (const part of chunked(bytes.subarray(0, stopAt), chunk)) yield part;
  throw new Error("connection lost");
}

/** Compares bytes by hash and length: deep equality of megabytes is slow and prints unreadably. */
function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.byteLength).toBe(expected.byteLength);
  expect(hashBytes(actual)).toBe(hashBytes(expected));
}

function blob(size: number): { bytes: Uint8Array; hash: string } {
  const bytes = randomBytes(size);
  return { bytes, hash: hashBytes(bytes) };
}

async function expectStorageError(promise: Promise<unknown>, code: string, ...fragments: string[]) {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a ${code} error`).toBeInstanceOf(StorageError);
  expect((err as StorageError).code).toBe(code);
  for (const fragment of fragments) expect((err as Error).message).toContain(fragment);
  return err as StorageError;
}

/**
 * The conformance suite of the {@link Driver} contract. Every driver runs it:
 *
 * @example
 * testDriver("local", async () => {
 *   const dir = await mkdtemp(join(tmpdir(), "store-"));
 *   return { driver: localDiskDriver(dir), cleanup: () => rm(dir, { recursive: true }) };
 * });
 */
export function testDriver(name: string, makeDriver: () => Promise<DriverFixture>): void {
  describe(`driver conformance: ${name}`, () => {
    let fixture: DriverFixture;
    let d: Driver;
    beforeEach(async () => {
      fixture = await makeDriver();
      d = fixture.driver;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it("stores a blob and reads back the same bytes, whole and from an offset", async () => {
      const { bytes, hash } = blob(3 * 1024 * 1024 + 17);
      expect(await d.write(hash, chunked(bytes), { size: bytes.byteLength })).toEqual({ hash, size: bytes.byteLength });
      expect(await d.stat(hash)).toEqual({ hash, size: bytes.byteLength });
      expectSameBytes(await collect(await d.read(hash)), bytes);
      const tail = await collect(await d.read(hash, { offset: 1_000_001 }));
      expectSameBytes(tail, bytes.subarray(1_000_001));
      expect((await collect(await d.read(hash, { offset: bytes.byteLength }))).byteLength).toBe(0);
    });

    it("stores the empty blob", async () => {
      const { bytes, hash } = blob(0);
      await d.write(hash, chunked(bytes));
      expect(await d.stat(hash)).toEqual({ hash, size: 0 });
      expect((await collect(await d.read(hash))).byteLength).toBe(0);
    });

    it("says which blobs are missing, in order and without repeats", async () => {
      const a = blob(100);
      const b = blob(200);
      const c = blob(300);
      await d.write(b.hash, chunked(b.bytes));
      expect(await d.missing([a.hash, b.hash, c.hash, a.hash])).toEqual([a.hash, c.hash]);
      expect(await d.missing([])).toEqual([]);
      expect(await d.stat(a.hash)).toBeUndefined();
    });

    it("reports an absent blob with its hash and the store's location", async () => {
      const { hash } = blob(10);
      await expectStorageError(d.read(hash), "E_BLOB_NOT_FOUND", `[storage] [${d.name}] blob not found: ${hash}`, d.location);
    });

    it("refuses a malformed hash everywhere", async () => {
      for (const bad of ["", "abc", "../../etc/passwd", "A".repeat(64), `${"0".repeat(63)}/`]) {
        await expectStorageError(d.stat(bad), "E_BAD_HASH", `[storage] [${d.name}] invalid blob hash`);
        await expectStorageError(d.read(bad), "E_BAD_HASH");
        await expectStorageError(d.write(bad, chunked(new Uint8Array(1))), "E_BAD_HASH");
        await expectStorageError(d.delete(bad), "E_BAD_HASH");
        await expectStorageError(d.partialSize(bad), "E_BAD_HASH");
      }
    });

    it("refuses a read offset past the end of the blob", async () => {
      const { bytes, hash } = blob(1000);
      await d.write(hash, chunked(bytes));
      await expectStorageError(d.read(hash, { offset: 1001 }), "E_RANGE", hash);
    });

    it("rejects bytes that do not hash to the name, and keeps nothing of them", async () => {
      const { bytes, hash } = blob(200_000);
      const other = randomBytes(200_000);
      const err = await expectStorageError(d.write(hash, chunked(other)), "E_INTEGRITY", "checksum mismatch", hash);
      expect(err.message).toContain(hashBytes(other));
      expect(await d.stat(hash)).toBeUndefined();
      expect(await d.partialSize(hash)).toBe(0);
      const listed = [];
      for await (const info of d.list()) listed.push(info.hash);
      expect(listed).not.toContain(hash);
      // The right bytes are still accepted afterwards.
      await d.write(hash, chunked(bytes));
      expect(await d.stat(hash)).toEqual({ hash, size: bytes.byteLength });
    });

    it("rejects a body longer or shorter than the announced size", async () => {
      const { bytes, hash } = blob(5000);
      await expectStorageError(d.write(hash, chunked(bytes), { size: 4000 }), "E_INTEGRITY", "announced");
      await expectStorageError(d.write(hash, chunked(bytes), { size: 6000 }), "E_INTEGRITY", "announced");
      expect(await d.stat(hash)).toBeUndefined();
    });

    it("keeps an interrupted write and resumes it from partialSize, sending only the rest", async () => {
      const { bytes, hash } = blob(2 * 1024 * 1024);
      const cut = 1024 * 1024 + 4096;
      await expect(d.write(hash, breaksAfter(bytes, cut))).rejects.toThrow("connection lost");
      expect(await d.stat(hash)).toBeUndefined();
      const held = await d.partialSize(hash);
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThanOrEqual(cut);
      let sent = 0;
      async function* rest() {
        for await (const c of chunked(bytes.subarray(held))) {
          sent += c.byteLength;
          yield c;
        }
      }
      await d.write(hash, rest(), { offset: held, size: bytes.byteLength });
      expect(sent).toBe(bytes.byteLength - held);
      expectSameBytes(await collect(await d.read(hash)), bytes);
      expect(await d.partialSize(hash)).toBe(0);
    });

    it("keeps what arrived when a write is aborted through its signal", async () => {
      const { bytes, hash } = blob(1024 * 1024);
      const controller = new AbortController();
      async function* slow() {
        let n = 0;
        for await (const c of chunked(bytes, 16 * 1024)) {
          n += c.byteLength;
          if (n > 256 * 1024) controller.abort(new Error("stopped by the user"));
          yield c;
        }
      }
      await expect(d.write(hash, slow(), { signal: controller.signal })).rejects.toThrow("stopped by the user");
      expect(await d.stat(hash)).toBeUndefined();
      const held = await d.partialSize(hash);
      expect(held).toBeGreaterThan(0);
      await d.write(hash, chunked(bytes.subarray(held)), { offset: held });
      expectSameBytes(await collect(await d.read(hash)), bytes);
    });

    it("refuses to resume past the bytes it holds", async () => {
      const { bytes, hash } = blob(100_000);
      await expectStorageError(d.write(hash, chunked(bytes.subarray(500)), { offset: 500 }), "E_RESUME", hash, "500");
      expect(await d.stat(hash)).toBeUndefined();
    });

    it("verifies the whole blob when resuming, so a bad partial is not accepted", async () => {
      const { bytes, hash } = blob(300_000);
      const wrong = randomBytes(300_000);
      await expect(d.write(hash, breaksAfter(wrong, 100_000))).rejects.toThrow("connection lost");
      const held = await d.partialSize(hash);
      expect(held).toBeGreaterThan(0);
      await expectStorageError(d.write(hash, chunked(bytes.subarray(held)), { offset: held }), "E_INTEGRITY");
      expect(await d.stat(hash)).toBeUndefined();
      expect(await d.partialSize(hash)).toBe(0);
    });

    it("lets several writers of the same blob succeed at once, leaving it whole", async () => {
      const { bytes, hash } = blob(2 * 1024 * 1024 + 3);
      const results = await Promise.all(
        [7, 64, 512, 1024].map((kib) => d.write(hash, chunked(bytes, kib * 1024), { size: bytes.byteLength })),
      );
      for (const r of results) expect(r).toEqual({ hash, size: bytes.byteLength });
      expectSameBytes(await collect(await d.read(hash)), bytes);
      const listed = [];
      for await (const info of d.list()) listed.push(info.hash);
      expect(listed).toEqual([hash]);
    });

    it("shows no blob while it is being written", async () => {
      const { bytes, hash } = blob(512 * 1024);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      async function* held() {
        yield bytes.subarray(0, 1000);
        await gate;
        yield bytes.subarray(1000);
      }
      const writing = d.write(hash, held());
      await new Promise((r) => setTimeout(r, 50));
      expect(await d.stat(hash)).toBeUndefined();
      await expectStorageError(d.read(hash), "E_BLOB_NOT_FOUND");
      release();
      await writing;
      expect(await d.stat(hash)).toEqual({ hash, size: bytes.byteLength });
    });

    it("accepts a second write of a stored blob", async () => {
      const { bytes, hash } = blob(1000);
      await d.write(hash, chunked(bytes));
      expect(await d.write(hash, chunked(bytes))).toEqual({ hash, size: 1000 });
    });

    it("lists every stored blob with its size", async () => {
      const blobs = [blob(10), blob(2000), blob(0), blob(70_000)];
      for (const b of blobs) await d.write(b.hash, chunked(b.bytes));
      const listed = [];
      for await (const info of d.list()) listed.push(info);
      const byHash = (a: { hash: string }, b: { hash: string }) => a.hash.localeCompare(b.hash);
      expect(listed.sort(byHash)).toEqual(blobs.map((b) => ({ hash: b.hash, size: b.bytes.byteLength })).sort(byHash));
    });

    it("deletes a blob, and says whether it was there", async () => {
      const { bytes, hash } = blob(1000);
      await d.write(hash, chunked(bytes));
      expect(await d.delete(hash)).toBe(true);
      expect(await d.delete(hash)).toBe(false);
      expect(await d.stat(hash)).toBeUndefined();
      await expectStorageError(d.read(hash), "E_BLOB_NOT_FOUND");
    });

    it("stops a read when its signal fires", async () => {
      const { bytes, hash } = blob(4 * 1024 * 1024);
      await d.write(hash, chunked(bytes));
      const controller = new AbortController();
      let got = 0;
      const reading = (async () => {
        for await (const c of await d.read(hash, { signal: controller.signal })) {
          got += c.byteLength;
          controller.abort(new Error("reader gone"));
        }
      })();
      await expect(reading).rejects.toThrow("reader gone");
      expect(got).toBeLessThan(bytes.byteLength);
    });
  });
}
