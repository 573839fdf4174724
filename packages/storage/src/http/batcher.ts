import type { BlobInfo } from "../driver.ts";
import type { HttpClient } from "./client.ts";
import { BATCH_MAX_BLOBS, BATCH_MAX_BYTES, batchAnswer, decodeError } from "./wire.ts";

interface Pending {
  readonly hash: string;
  readonly bytes: Uint8Array;
  readonly resolve: (info: BlobInfo) => void;
  readonly reject: (err: unknown) => void;
}

/** Batches sent at once; more small blobs wait for one of them to end, and go together in the next. */
const IN_FLIGHT = 2;

/**
 * Gathers small blob uploads made about the same time into one request
 * (`POST /blobs/batch`): a folder of thousands of small files then costs
 * tens of round trips, not thousands. Each blob still succeeds or fails alone.
 */
export class UploadBatcher {
  readonly #client: HttpClient;
  #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(client: HttpClient) {
    this.#client = client;
  }

  /** Stores one small blob, with others sent about the same time. */
  add(hash: string, bytes: Uint8Array): Promise<BlobInfo> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ hash, bytes, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= IN_FLIGHT || this.#queue.length === 0) return;
    this.#scheduled = true;
    // Let the uploads started in this turn join the batch.
    setTimeout(() => {
      this.#scheduled = false;
      if (this.#inFlight < IN_FLIGHT && this.#queue.length > 0) void this.#send();
    }, 0);
  }

  async #send(): Promise<void> {
    const batch: Pending[] = [];
    let bytes = 0;
    while (this.#queue.length > 0 && batch.length < BATCH_MAX_BLOBS && bytes + this.#queue[0]!.bytes.byteLength <= BATCH_MAX_BYTES) {
      const next = this.#queue.shift()!;
      batch.push(next);
      bytes += next.bytes.byteLength;
    }
    this.#inFlight++;
    try {
      const head = new TextEncoder().encode(JSON.stringify({ blobs: batch.map((p) => ({ hash: p.hash, size: p.bytes.byteLength })) }));
      const body = new Uint8Array(4 + head.byteLength + bytes);
      new DataView(body.buffer).setUint32(0, head.byteLength);
      body.set(head, 4);
      let at = 4 + head.byteLength;
      for (const p of batch) {
        body.set(p.bytes, at);
        at += p.bytes.byteLength;
      }
      const answer = await this.#client.json("POST", "/blobs/batch", batchAnswer, {
        body,
        headers: { "content-type": "application/octet-stream" },
      });
      if (answer.results.length !== batch.length) throw new Error(`the batch answer has ${answer.results.length} results for ${batch.length} blobs`);
      for (const [i, p] of batch.entries()) {
        const result = answer.results[i]!;
        if ("error" in result) p.reject(decodeError(this.#client.name, this.#client.location, result.error));
        else p.resolve(result);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.#inFlight--;
      this.#schedule();
    }
  }
}
