import type { Driver } from "./driver.ts";
import { hashBytes } from "./hash.ts";
import { collect } from "./streams.ts";

/**
 * Stores a small value's bytes (a Payload, a manifest) and returns its hash.
 *
 * @example
 * const hash = await putBytes(store, new TextEncoder().encode(JSON.stringify(value)));
 */
export async function putBytes(driver: Driver, bytes: Uint8Array): Promise<string> {
  const hash = hashBytes(bytes);
  await driver.write(hash, once(bytes), { size: bytes.byteLength });
  return hash;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** Reads a whole blob into memory (for small blobs: a Payload, a manifest). */
export async function getBytes(driver: Driver, hash: string): Promise<Uint8Array> {
  return collect(await driver.read(hash));
}
