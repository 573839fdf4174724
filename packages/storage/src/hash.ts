import { createHash } from "node:crypto";
import { InvalidHashError } from "./errors.ts";

const HASH = /^[0-9a-f]{64}$/;

/** Whether `value` is a blob hash: a sha256 as 64 lowercase hex characters. */
export function isBlobHash(value: unknown): value is string {
  return typeof value === "string" && HASH.test(value);
}

/** Throws `InvalidHashError` (naming the driver) unless `hash` is a blob hash. */
export function assertBlobHash(driver: string, hash: unknown): asserts hash is string {
  if (!isBlobHash(hash)) throw new InvalidHashError(driver, hash);
}

/** The blob hash of some bytes. */
export function hashBytes(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The blob hash and size of a stream of bytes, consuming it. */
export async function hashStream(body: AsyncIterable<Uint8Array>): Promise<{ hash: string; size: number }> {
  const hasher = createHash("sha256");
  let size = 0;
  for await (const chunk of body) {
    hasher.update(chunk);
    size += chunk.byteLength;
  }
  return { hash: hasher.digest("hex"), size };
}
