/**
 * L.Payload in the core: the value checked when made, written once through
 * the storage port by the work that stores it, carried in state as a
 * reference, and read by the work that receives it before its run().
 */
import { describe, expect, it } from "vitest";
import {
  LightningApp,
  LightningFlow,
  LightningWork,
  Path,
  Payload,
  PayloadError,
  StateValueError,
} from "../index.ts";
import { decodeState } from "../internal.ts";
import { MemoryStorage } from "../test-support/memory-storage.ts";
import { TestApp } from "../testing/index.ts";

describe("a Payload's value", () => {
  it("is JSON data or bytes, copied when made", () => {
    const data = { scores: [1, 2, 3] };
    const payload = new Payload(data);
    data.scores.push(4);
    expect(payload.value).toEqual({ scores: [1, 2, 3] });
    const bytes = new Uint8Array([1, 2, 3]);
    const raw = new Payload(bytes);
    bytes[0] = 9;
    expect([...raw.value]).toEqual([1, 2, 3]);
  });

  it("refuses what is not JSON data, saying where", () => {
    expect(() => new Payload({ when: new Date(0) } as never)).toThrow(StateValueError);
    expect(() => new Payload({ when: new Date(0) } as never)).toThrow('L.Payload: field "when" holds an instance of Date');
    expect(() => new Payload({ fn: () => 1 } as never)).toThrow('field "fn" holds a function');
    expect(() => new Payload({ file: new Path("x") } as never)).toThrow(
      new PayloadError("L.Payload: its value holds a Path; a Payload holds JSON data or bytes (a Uint8Array)."),
    );
  });

  it("arriving in state with a bad hash is refused", () => {
    expect(() => decodeState({ $lit: "Payload", origin: "root.a", hash: "../../x", size: 1, kind: "json" })).toThrow(PayloadError);
    expect(() => decodeState({ $lit: "Payload", origin: "root.a", hash: "a".repeat(64), size: -1, kind: "json" })).toThrow(
      /bad size or kind/,
    );
  });
});

class Producer extends LightningWork {
  result: Payload | null = null;
  async run() {
    this.result = new Payload({ rows: [[1, 2], [3, 4]], label: "é" });
  }
}

class Consumer extends LightningWork {
  given: Payload | null = null;
  got: unknown = null;
  async run(arg: Payload) {
    this.got = { arg: arg.value, field: this.given?.value ?? null };
  }
}

describe("a Payload handed between works", () => {
  it("is written once by the work that stores it; state carries a reference; the receiver reads it before run()", async () => {
    const storage = new MemoryStorage();
    class Root extends LightningFlow {
      producer = new Producer();
      consumer = new Consumer();
      run() {
        this.producer.run();
        this.consumer.given = this.producer.result;
        if (this.producer.result) this.consumer.run(this.producer.result);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()), { storage });
    await t.start();
    expect(t.result).toBeUndefined();
    const saves = storage.calls.filter((c) => c.op === "savePayload");
    expect(saves).toEqual([{ op: "savePayload", work: "root.producer", text: expect.stringContaining('"label":"') }]);
    const ref = t.engine.stateDocument().components["root.producer"]!.vars.result as Record<string, unknown>;
    expect(ref).toMatchObject({ $lit: "Payload", origin: "root.producer", kind: "json" });
    expect(ref.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(ref.size).toBe(new TextEncoder().encode(JSON.stringify({ rows: [[1, 2], [3, 4]], label: "é" })).byteLength);
    expect(t.root.consumer.got).toEqual({ arg: { rows: [[1, 2], [3, 4]], label: "é" }, field: { rows: [[1, 2], [3, 4]], label: "é" } });
    expect(storage.calls.filter((c) => c.op === "loadPayload").map((c) => (c as { into: string }).into)).toEqual(["root.consumer", "root.consumer"]);
  });

  it("holding bytes arrives as the same bytes", async () => {
    const storage = new MemoryStorage();
    class Maker extends LightningWork {
      blob: Payload<Uint8Array> | null = null;
      async run() {
        this.blob = new Payload(new Uint8Array([0, 255, 7]));
      }
    }
    class Taker extends LightningWork {
      bytes: number[] = [];
      async run(blob: Payload<Uint8Array>) {
        this.bytes = [...blob.value];
      }
    }
    class Root extends LightningFlow {
      maker = new Maker();
      taker = new Taker();
      run() {
        this.maker.run();
        if (this.maker.blob) this.taker.run(this.maker.blob);
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()), { storage });
    await t.start();
    expect(t.root.taker.bytes).toEqual([0, 255, 7]);
  });

  it("is not made by a flow, and its value is not read in a flow", async () => {
    class Root extends LightningFlow {
      consumer = new Consumer();
      run() {
        this.consumer.run(new Payload([1, 2, 3]));
      }
    }
    const t = new TestApp(new LightningApp(new Root()), { storage: new MemoryStorage() });
    await t.start();
    expect(t.result?.error?.message).toContain(
      "root.consumer: a flow cannot make a Payload: a Payload is written by the work that makes it, in its run().",
    );
    const remote = decodeState({ $lit: "Payload", origin: "root.a", hash: "b".repeat(64), size: 2, kind: "json" }) as Payload;
    expect(remote.origin).toBe("root.a");
    expect(() => remote.value).toThrow(/Payload\(json bbbbbbbbbbbb from root\.a\): its value is not here/);
  });

  it("made in a work run without storage fails that work, saying how to give storage", async () => {
    const t = new TestApp<any>(new LightningApp(new Producer()));
    await t.start();
    expect(t.result?.error?.message).toContain("an L.Payload was sent before it was stored");
    expect(t.result?.error?.message).toContain("new TestApp(app, { storage: new LocalStorage(dir) })");
  });
});
