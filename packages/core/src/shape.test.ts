/**
 * Clients keep the shape of the state: a patch changes declared fields'
 * values, not their JSON types; it neither removes declared fields nor adds
 * new ones; a component's clientSchema is checked on every patch.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { LightningApp, LightningFlow, LightningWork, StateShapeError } from "./index.ts";
import type { PatchOp } from "./internal.ts";
import { TestApp } from "./testing/index.ts";

class Labeler extends LightningWork {
  labels: string[] = ["cat"];
  async run() {}
}

class Root extends LightningFlow {
  title = "demo";
  requests: { name: string }[] = [];
  settings: { lr: number; layers: number[] } = { lr: 0.1, layers: [4, 8] };
  selected: string | null = null;
  labeler = new Labeler({ startWithFlow: false });
  seen = "";
  run() {
    // A pass that relies on the declared types: it throws if a client changed them.
    this.seen = `${this.title.toUpperCase()} ${this.requests.map((r) => r.name).join(",")} ${this.settings.layers.length} ${this.selected ?? "-"}`;
  }
}

async function app<F extends LightningFlow>(root: F): Promise<TestApp<F>> {
  const t = new TestApp<F>(new LightningApp(root));
  await t.start();
  return t;
}

function refused(t: TestApp<any>, patch: PatchOp[]): StateShapeError {
  try {
    t.engine.applyDelta(patch);
  } catch (error) {
    expect(error).toBeInstanceOf(StateShapeError);
    return error as StateShapeError;
  }
  throw new Error(`expected ${JSON.stringify(patch)} to be refused`);
}

describe("by default, a patch", () => {
  const cases: [string, PatchOp[], string, string][] = [
    ["removes a declared field", [{ op: "remove", path: "/components/root/vars/requests" }], "requests", "a patch cannot remove a declared field"],
    ["turns an array into an object", [{ op: "replace", path: "/components/root/vars/requests", value: { name: "a" } }], "requests", "it holds an array; a patch cannot make it an object"],
    ["turns a string into an array", [{ op: "replace", path: "/components/root/vars/title", value: ["a"] }], "title", "it holds a string; a patch cannot make it an array"],
    ["turns an object into null", [{ op: "add", path: "/components/root/vars/settings", value: null }], "settings", "it holds an object; a patch cannot make it null"],
    ["adds a field the component does not declare", [{ op: "add", path: "/components/root/vars/extra", value: 1 }], "extra", "Root declares no field \"extra\""],
    ["moves a declared field away", [{ op: "move", from: "/components/root.labeler/vars/labels", path: "/components/root/vars/requests" }], "labels", "a patch cannot remove a declared field"],
    ["copies a value of another type over a field", [{ op: "copy", from: "/components/root/vars/settings", path: "/components/root/vars/requests" }], "requests", "it holds an array; a patch cannot make it an object"],
    ["removes a work's declared field", [{ op: "remove", path: "/components/root.labeler/vars/labels" }], "labels", "a patch cannot remove a declared field"],
  ];
  for (const [what, patch, field, reason] of cases) {
    it(`that ${what} is refused naming the field; nothing changes and the app goes on`, async () => {
      const t = await app(new Root());
      const doc = t.engine.stateDocument();
      const error = refused(t, [{ op: "replace", path: "/components/root/vars/title", value: "first" }, ...patch]);
      expect(error).toMatchObject({ code: "E_STATE_SHAPE", field });
      expect(error.message).toContain(reason);
      expect(error.message).toContain(`operation 1`);
      expect(t.engine.stateDocument()).toEqual(doc);
      t.engine.applyDelta([{ op: "add", path: "/components/root/vars/requests/-", value: { name: "a" } }]);
      await t.settle();
      expect(t.engine.stage).toBe("running");
      expect(t.root.seen).toBe("DEMO a 2 -");
    });
  }

  it("changes values inside fields as RFC 6902 says, and a field's value within its type", async () => {
    const t = await app(new Root());
    t.engine.applyDelta([
      { op: "replace", path: "/components/root/vars/title", value: "renamed" },
      { op: "add", path: "/components/root/vars/requests", value: [{ name: "a" }] },
      { op: "copy", from: "/components/root/vars/requests/0", path: "/components/root/vars/requests/-" },
      { op: "add", path: "/components/root/vars/settings/extra", value: { deep: [1] } },
      { op: "remove", path: "/components/root/vars/settings/extra" },
      { op: "move", from: "/components/root/vars/settings/layers/0", path: "/components/root/vars/settings/layers/-" },
      { op: "copy", from: "/components/root.labeler/vars/labels", path: "/components/root.labeler/vars/labels" },
    ]);
    await t.settle();
    expect(t.root.seen).toBe("RENAMED a,a 2 -");
    expect(t.root.settings).toEqual({ lr: 0.1, layers: [8, 4] });
  });

  it("sets a field that held only null to any type, and back to null or that type", async () => {
    const t = await app(new Root());
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/selected", value: "alice" }]);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/selected", value: null }]);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/selected", value: "bob" }]);
    await t.settle();
    expect(t.root.seen).toBe("DEMO  2 bob");
    const error = refused(t, [{ op: "replace", path: "/components/root/vars/selected", value: ["bob"] }]);
    expect(error.message).toContain("it has held null and a string; a patch cannot make it an array");
  });
});

class Typed extends LightningFlow {
  static override clientSchema = z.object({
    threshold: z.number().min(0).max(1),
    label: z.string().nullable(),
    tags: z.array(z.string().max(8)).max(3),
  });
  threshold = 0.5;
  label: string | null = "x";
  tags: string[] = [];
  _passes = 0;
  run() {
    this._passes++;
  }
}

describe("a component's clientSchema", () => {
  it("is checked on every patch: a refusal names the field and zod's reason", async () => {
    const t = await app(new Typed());
    const doc = t.engine.stateDocument();
    const error = refused(t, [{ op: "replace", path: "/components/root/vars/threshold", value: 2 }]);
    expect(error).toMatchObject({ code: "E_STATE_SHAPE", component: "root", field: "threshold" });
    expect(error.message).toMatch(/root: field "threshold": .*(<=1|less than or equal to 1)/);
    const nested = refused(t, [{ op: "add", path: "/components/root/vars/tags/-", value: "far-too-long" }]);
    expect(nested).toMatchObject({ field: "tags[0]" });
    expect(t.engine.stateDocument()).toEqual(doc);
  });

  it("decides the types of the fields it covers (here null is allowed), and valid patches apply", async () => {
    const t = await app(new Typed());
    t.engine.applyDelta([
      { op: "replace", path: "/components/root/vars/label", value: null },
      { op: "add", path: "/components/root/vars/tags/-", value: "a" },
      { op: "replace", path: "/components/root/vars/threshold", value: 1 },
    ]);
    await t.settle();
    expect(t.root).toMatchObject({ label: null, tags: ["a"], threshold: 1 });
    expect(refused(t, [{ op: "remove", path: "/components/root/vars/label" }]).message).toContain("a patch cannot remove a declared field");
  });

  it("may be any object with safeParse, or a Standard Schema", async () => {
    class Even extends LightningFlow {
      static override clientSchema = {
        safeParse: (v: { n: number }) =>
          v.n % 2 === 0 ? { success: true, data: v } : { success: false, error: { issues: [{ path: ["n"], message: "must be even" }] } },
      };
      n = 0;
      run() {}
    }
    const t = await app(new Even());
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/n", value: 2 }]);
    expect(refused(t, [{ op: "replace", path: "/components/root/vars/n", value: 3 }]).message).toContain('field "n": must be even');

    class Small extends LightningWork {
      static clientSchema = {
        "~standard": {
          version: 1,
          vendor: "test",
          validate: (v: unknown) => ((v as { size: number }).size < 10 ? { value: v } : { issues: [{ message: "too big", path: [{ key: "size" }] }] }),
        },
      };
      size = 1;
      async run() {}
    }
    class Holder extends LightningFlow {
      small = new Small({ startWithFlow: false });
      run() {}
    }
    const h = await app(new Holder());
    h.engine.applyDelta([{ op: "replace", path: "/components/root.small/vars/size", value: 9 }]);
    expect(refused(h, [{ op: "replace", path: "/components/root.small/vars/size", value: 10 }])).toMatchObject({ component: "root.small", field: "size" });
  });
});
