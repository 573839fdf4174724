/** Deltas from outside (UI, REST API): JSON Patch on the state document, whole or not at all. */
import { describe, expect, it } from "vitest";
import { LightningApp, LightningFlow, LightningWork, PatchError } from "./index.ts";
import type { PatchOp } from "./internal.ts";
import { replay } from "./test-support/replay.ts";
import { TestApp } from "./testing/index.ts";

class Model extends LightningWork {
  threshold = 0.5;
  labels: string[] = ["cat"];
  _secret = "kept here";
  async run() {}
}

class Root extends LightningFlow {
  title = "demo";
  settings: { lr: number; layers: number[]; tags?: Record<string, string> } = { lr: 0.1, layers: [4, 8] };
  model = new Model({ startWithFlow: false });
  _private = 1;
  _passesSeen: string[] = [];
  run() {
    this._passesSeen.push(this.title);
  }
}

async function app() {
  const t = new TestApp<Root>(new LightningApp(new Root()));
  await t.start();
  return t;
}

function patchError(t: TestApp<Root>, patch: unknown): PatchError {
  try {
    t.engine.applyDelta(patch);
  } catch (error) {
    expect(error).toBeInstanceOf(PatchError);
    expect(error).toMatchObject({ code: "E_PATCH" });
    return error as PatchError;
  }
  throw new Error("expected a PatchError");
}

describe("applyDelta: valid patches", () => {
  it("changes the flow's fields, appears in the change feed, and re-runs the flow once", async () => {
    const t = await app();
    const passes = t.passes;
    const seen = t.changes.length;
    t.engine.applyDelta([
      { op: "replace", path: "/components/root/vars/title", value: "renamed" },
      { op: "add", path: "/components/root/vars/settings/layers/-", value: 16 },
      { op: "add", path: "/components/root/vars/settings/tags", value: { owner: "alice" } },
      { op: "remove", path: "/components/root/vars/settings/layers/0" },
    ]);
    await t.settle();
    expect(t.root.title).toBe("renamed");
    expect(t.root.settings).toEqual({ lr: 0.1, layers: [8, 16], tags: { owner: "alice" } });
    expect(t.passes).toBe(passes + 1);
    expect(t.root._passesSeen.at(-1)).toBe("renamed");
    expect(t.changes.slice(seen)).toEqual([
      { op: "replace", path: "/components/root/vars/title", value: "renamed" },
      { op: "add", path: "/components/root/vars/settings/layers/-", value: 16 },
      { op: "add", path: "/components/root/vars/settings/tags", value: { owner: "alice" } },
      { op: "remove", path: "/components/root/vars/settings/layers/0" },
    ]);
  });

  it("supports test, move and copy; the feed still rebuilds the document", async () => {
    const t = new TestApp<Root>(new LightningApp(new Root()));
    const before = t.engine.stateDocument();
    await t.start();
    t.engine.applyDelta([
      { op: "test", path: "/components/root/vars/title", value: "demo" },
      { op: "copy", from: "/components/root/vars/settings/lr", path: "/components/root.model/vars/threshold" },
      { op: "move", from: "/components/root.model/vars/labels/0", path: "/components/root/vars/settings/tags" },
    ]);
    await t.settle();
    expect(t.root.model.threshold).toBe(0.1);
    expect(t.root.settings.tags).toBe("cat");
    expect(t.engine.stateDocument().components["root.model"]?.vars).toEqual({ threshold: 0.1, labels: [] });
    expect(replay(before, t.changes)).toEqual(t.engine.stateDocument());
  });

  it("a value that equals the current one still applies and nothing breaks", async () => {
    const t = await app();
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/title", value: "demo" }]);
    await t.settle();
    expect(t.root.title).toBe("demo");
    expect(t.engine.stage).toBe("running");
  });

  it("keys with / and ~ are escaped as in RFC 6901", async () => {
    const t = await app();
    t.engine.applyDelta([{ op: "add", path: "/components/root/vars/settings/tags", value: { "a/b": "1", "c~d": "2" } }]);
    t.engine.applyDelta([{ op: "replace", path: "/components/root/vars/settings/tags/a~1b", value: "x" }]);
    t.engine.applyDelta([{ op: "remove", path: "/components/root/vars/settings/tags/c~0d" }]);
    expect(t.root.settings.tags).toEqual({ "a/b": "x" });
  });
});

describe("applyDelta: malformed or forbidden patches", () => {
  const cases: [string, unknown, string][] = [
    ["not an array", { op: "replace" }, "the patch must be an array of operations"],
    ["an operation that is not an object", ["x"], "operation 0: must be an object"],
    ["an unknown op", [{ op: "merge", path: "/components/root/vars/title" }], 'operation 0: "op" must be one of add, remove, replace, test, move, copy'],
    ["a path that is not a string", [{ op: "remove", path: 3 }], '"operation 0 path" must be a JSON Pointer string'],
    ["a pointer without a leading slash", [{ op: "remove", path: "components" }], 'is not a JSON Pointer: it must be empty or start with "/"'],
    ["add without value", [{ op: "add", path: "/components/root/vars/x" }], 'operation 0 (/components/root/vars/x): "add" needs a "value"'],
    ["the stage", [{ op: "replace", path: "/stage", value: "stopped" }], '"/stage" is not writable: only /components/<name>/vars/<field>... can be changed'],
    ["a work's status", [{ op: "replace", path: "/components/root.model/status", value: {} }], "is not writable"],
    ["the whole vars", [{ op: "replace", path: "/components/root/vars", value: {} }], "is not writable"],
    ["an unknown component", [{ op: "replace", path: "/components/root.nope/vars/a", value: 1 }], 'there is no component named "root.nope"'],
    ["a child component", [{ op: "replace", path: "/components/root/vars/model", value: 1 }], "root.model is a component, not a field"],
    ["a private field", [{ op: "replace", path: "/components/root/vars/_private", value: 2 }], 'fields starting with "_" are private'],
    ["a missing key", [{ op: "replace", path: "/components/root/vars/settings/nope", value: 2 }], 'there is no value at "/settings/nope" to replace'],
    ["an index out of range", [{ op: "replace", path: "/components/root/vars/settings/layers/5", value: 2 }], "index 5 is out of range (array length 2)"],
    ["a path through a number", [{ op: "add", path: "/components/root/vars/settings/lr/x", value: 2 }], '"/settings/lr" is not an object or array'],
    ["a failing test", [{ op: "test", path: "/components/root/vars/title", value: "other" }], "test failed, the value differs"],
    ["a value that cannot be state", [{ op: "replace", path: "/components/root/vars/title", value: 1e400 }], 'field "title" holds the number Infinity'],
    ["a flow's method", [{ op: "add", path: "/components/root/vars/run", value: 1 }], '"run" is a method or property of Root, not a state field'],
    ["a work's status accessor", [{ op: "add", path: "/components/root.model/vars/status", value: "succeeded" }], '"status" is a method or property of Model, not a state field'],
    ["the constructor", [{ op: "add", path: "/components/root/vars/constructor", value: {} }], '"constructor" is a method or property of Root'],
    ["a __proto__ key in the path", [{ op: "add", path: "/components/root/vars/settings/__proto__", value: { polluted: true } }], '"__proto__" cannot be a key in state'],
    ["a __proto__ key in the value", [{ op: "add", path: "/components/root/vars/extra", value: JSON.parse('{"a":{"__proto__":{"polluted":true}}}') }], 'field "extra.a.__proto__" is named "__proto__"'],
  ];

  for (const [what, patch, message] of cases) {
    it(`${what}: refused with the reason, state unchanged, no pass`, async () => {
      const t = await app();
      const doc = t.engine.stateDocument();
      const passes = t.passes;
      const feed = t.changes.length;
      const error = patchError(t, patch);
      expect(error.message).toContain(message);
      await t.settle();
      expect(t.engine.stateDocument()).toEqual(doc);
      expect(t.passes).toBe(passes);
      expect(t.changes.length).toBe(feed);
    });
  }

  it("no patch reaches an object's prototype", async () => {
    const t = await app();
    for (const path of ["/components/root/vars/settings/__proto__/polluted", "/components/root/vars/settings/constructor/prototype/polluted"]) {
      expect(() => t.engine.applyDelta([{ op: "add", path, value: true }])).toThrow(PatchError);
    }
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
    expect((t.root.settings as { polluted?: boolean }).polluted).toBeUndefined();
    await t.settle();
    expect(t.engine.stage).toBe("running");
  });

  it("a multi-op patch whose last op fails is rolled back whole", async () => {
    const t = await app();
    const doc = t.engine.stateDocument();
    const passes = t.passes;
    const patch: PatchOp[] = [
      { op: "replace", path: "/components/root/vars/title", value: "changed" },
      { op: "add", path: "/components/root/vars/settings/layers/0", value: 2 },
      { op: "remove", path: "/components/root/vars/settings/layers/2" },
      { op: "add", path: "/components/root/vars/settings/extra", value: { a: [1] } },
      { op: "replace", path: "/components/root.model/vars/labels/0", value: "dog" },
      { op: "move", from: "/components/root/vars/settings/lr", path: "/components/root/vars/settings/rate" },
      { op: "replace", path: "/components/root/vars/settings/missing", value: 1 },
    ];
    const error = patchError(t, patch);
    expect(error.message).toBe('operation 6 (/components/root/vars/settings/missing): there is no value at "/settings/missing" to replace');
    await t.settle();
    expect(t.engine.stateDocument()).toEqual(doc);
    expect(t.root.settings).toEqual({ lr: 0.1, layers: [4, 8] });
    expect(t.root.model.labels).toEqual(["cat"]);
    expect(t.passes).toBe(passes);
  });

  it("a stopped app takes no deltas", async () => {
    const t = await app();
    await t.stop();
    expect(patchError(t, []).message).toBe("the app is stopped; its state no longer changes");
  });
});
