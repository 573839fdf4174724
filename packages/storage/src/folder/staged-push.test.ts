// Reading a push's body when its chunks are views into larger buffers, as a Node server's request chunks are.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManifestError } from "../errors.ts";
import { DEFAULT_LIMITS } from "../http/wire.ts";
import { receivePush } from "./staged-push.ts";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("receivePush", () => {
  it("reads the head's length where its chunk starts, not where the chunk's buffer starts", async () => {
    dir = mkdtempSync(join(tmpdir(), "lit-staged-push-"));
    const head = new TextEncoder().encode(JSON.stringify({ not: "a push head" }));
    // Bytes before the body in the same buffer (as an HTTP request's headers are), then the length and the head.
    const whole = Buffer.alloc(64 + 4 + head.byteLength, 0x2f);
    whole.writeUInt32BE(head.byteLength, 64);
    whole.set(head, 68);
    async function* body() {
      yield whole.subarray(64);
    }
    const received = receivePush(dir, body(), DEFAULT_LIMITS);
    // The head was found and read whole: it is refused for its shape, not for a length read from the wrong bytes.
    await expect(received).rejects.toBeInstanceOf(ManifestError);
    await expect(received).rejects.toThrow(/invalid push head/);
  });
});
