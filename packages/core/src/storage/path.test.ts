/**
 * L.Path in the core: names checked, serialized into state and call
 * arguments with its origin and consumers, and made present (through the
 * storage port) in the receiving work before its run() starts.
 */
import { describe, expect, it } from "vitest";
import {
  LightningApp,
  LightningFlow,
  LightningWork,
  MissingPathError,
  Path,
  PathError,
  StorageUnavailableError,
  type JsonValue,
} from "../index.ts";
import { decodeState, encodeState, loadWork, type VarOp } from "../internal.ts";
import { MemoryStorage } from "../test-support/memory-storage.ts";
import { TestApp } from "../testing/index.ts";

function refused(name: unknown): PathError {
  try {
    new Path(name as string);
  } catch (error) {
    return error as PathError;
  }
  throw new Error(`L.Path(${JSON.stringify(name)}) was accepted`);
}

describe("a Path's name", () => {
  it("is kept relative and clean", () => {
    expect(new Path("./models//best.pt").path).toBe("models/best.pt");
    expect(new Path("checkpoints/").path).toBe("checkpoints");
  });

  it.each([
    ["../secrets.txt", 'climbs out of the storage root with ".."'],
    ["data/../../etc/passwd", 'climbs out of the storage root with ".."'],
    ["/etc/passwd", "it is an absolute path"],
    ["C:/Windows", "it is an absolute path"],
    ["~/notes.txt", "it is an absolute path"],
    ["a\\b", "backslash"],
    ["", "the name is empty"],
    ["./", "the name is empty"],
    [".lit-storage/index.json", 'names starting with ".lit" are kept'],
    ["a\0b", "NUL"],
  ])("refuses %j, saying why", (name, why) => {
    const error = refused(name);
    expect(error).toBeInstanceOf(PathError);
    expect(error.code).toBe("E_PATH");
    expect(error.message).toContain(`L.Path(${JSON.stringify(name)}): refused: `);
    expect(error.message).toContain(why);
    expect(error.message).toContain('give a relative name such as "models/best.pt"');
  });

  it("refuses a climbing name arriving in state from another thread or host", () => {
    expect(() => decodeState({ $lit: "Path", path: "../../etc/passwd", origin: "root.a", consumers: [] })).toThrow(PathError);
    expect(() => decodeState({ $lit: "Path", path: "/etc/passwd", origin: "root.a", consumers: [] })).toThrow(/absolute path/);
  });
});

class Source extends LightningWork {
  out: Path | null = null;
  declared = new Path("declared.txt");
  constructor(private readonly _storage?: MemoryStorage) {
    super();
  }
  async run(write = true) {
    this.out = new Path("out.txt");
    if (write) this._storage?.write(this.name, "out.txt", "hello from source");
  }
}

class Dest extends LightningWork {
  input: Path | null = null;
  seen: { arg: string | null; field: string | null; consumers: string[] } | null = null;
  constructor(private readonly _storage: MemoryStorage) {
    super();
  }
  async run(file: Path) {
    const read = (p: Path | null) => (p ? (this._storage.root(this.name).get(p.path) ?? null) : null);
    this.seen = { arg: read(file), field: read(this.input), consumers: file.consumers };
  }
}

function handOver(storage: MemoryStorage, write = true) {
  class Root extends LightningFlow {
    source = new Source(storage);
    dest = new Dest(storage);
    run() {
      this.source.run(write);
      this.dest.input = this.source.out;
      if (this.source.out) this.dest.run(this.source.out);
    }
  }
  return new TestApp<Root>(new LightningApp(new Root()), { storage });
}

describe("a Path handed from one work to another", () => {
  it("records the work that stored it as its origin, in state", async () => {
    const storage = new MemoryStorage();
    const t = handOver(storage);
    await t.start();
    const vars = t.engine.stateDocument().components["root.source"]!.vars;
    expect(vars.declared).toEqual({ $lit: "Path", path: "declared.txt", origin: "root.source", consumers: [] });
    expect(vars.out).toEqual({ $lit: "Path", path: "out.txt", origin: "root.source", consumers: [] });
    const dest = t.engine.stateDocument().components["root.dest"]!.vars;
    expect(dest.input).toEqual({ $lit: "Path", path: "out.txt", origin: "root.source", consumers: ["root.dest"] });
  });

  it("is made present in the receiving work's storage before its run() starts, as an argument and as a field", async () => {
    const storage = new MemoryStorage();
    const t = handOver(storage);
    await t.start();
    expect(t.root.dest.seen).toEqual({ arg: "hello from source", field: "hello from source", consumers: ["root.dest"] });
    expect(storage.calls).toContainEqual({ op: "materialize", path: "out.txt", origin: "root.source", into: "root.dest" });
    expect(storage.calls.filter((c) => c.op === "materialize" && c.into === "root.source")).toEqual([]);
  });

  it("whose origin never wrote it fails the receiving work, naming both works and the path", async () => {
    const storage = new MemoryStorage();
    const t = handOver(storage, false);
    await t.start();
    expect(t.root.dest.hasFailed).toBe(true);
    expect(t.result?.error?.message).toContain(
      'root.dest was handed the Path "out.txt" from root.source, but root.source has not written it',
    );
    expect(t.root.dest.status.message).toContain("Write the file at String(path) in root.source's run()");
  });

  it("without an origin, passed by a flow, belongs to the work that receives it; nothing is fetched", async () => {
    const storage = new MemoryStorage();
    class Writer extends LightningWork {
      got: Path | null = null;
      async run(target: Path) {
        this.got = target;
        storage.write(this.name, target.path, `written at ${String(target)}`);
      }
    }
    class Root extends LightningFlow {
      writer = new Writer();
      run() {
        this.writer.run(new Path("report.md"));
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()), { storage });
    await t.start();
    expect(t.root.writer.got?.origin).toBe("root.writer");
    expect(storage.root("root.writer").get("report.md")).toBe("written at /storage/root.writer/report.md");
    expect(storage.calls.filter((c) => c.op === "materialize")).toEqual([]);
  });
});

describe("a Path where there is no storage", () => {
  it("in a flow: String() is its relative name; exists() and get() say to call them inside a work", () => {
    const path = new Path("data/train.csv");
    expect(String(path)).toBe("data/train.csv");
    expect(`${path}`).toBe("data/train.csv");
    expect(() => path.exists()).toThrow(StorageUnavailableError);
    expect(() => path.exists()).toThrow(/Path\("data\/train.csv"\)\.exists\(\) was called where no work's storage is: call it inside a work's run\(\)/);
    return expect(path.get()).rejects.toThrow(/\.get\(\) was called where no work's storage is/);
  });

  it("handed between works by an executor without storage: the receiving work fails, saying how to give one", async () => {
    const files = new MemoryStorage();
    class Root extends LightningFlow {
      source = new Source(files);
      dest = new Dest(files);
      run() {
        this.source.run();
        if (this.source.out) this.dest.run(this.source.out);
      }
    }
    const bare = new TestApp(new LightningApp(new Root()));
    await bare.start();
    expect(bare.result?.error?.message).toContain('root.dest receives the Path "out.txt" from root.source, but its executor has no storage');
    expect(bare.result?.error?.message).toContain("new TestApp(app, { storage: new LocalStorage(dir) })");
  });
});

describe("a Path on the work's side (loadWork, as in a worker thread)", () => {
  class Reader extends LightningWork {
    input: Path | null = null;
    made: Path | null = null;
    async run(file: Path) {
      this.made = new Path("made-here.txt");
      console.log(file.origin);
    }
  }

  it("fetches field and argument Paths from other works before run(); Paths made there belong to the work", async () => {
    const storage = new MemoryStorage();
    storage.write("root.a", "in.txt", "field");
    storage.write("root.b", "arg.txt", "argument");
    const ops: VarOp[] = [];
    const loaded = loadWork({
      app: undefined,
      name: "root.reader",
      className: "Reader",
      constructorOptions: {},
      state: { input: { $lit: "Path", path: "in.txt", origin: "root.a", consumers: ["root.reader"] } },
      exports: { Reader },
      onOp: (op) => ops.push(op),
      now: () => 0,
      storage,
    });
    await loaded.run([encodeState(decodeState({ $lit: "Path", path: "arg.txt", origin: "root.b", consumers: [] })) as JsonValue]);
    expect(storage.root("root.reader")).toEqual(new Map([["in.txt", "field"], ["arg.txt", "argument"]]));
    expect(ops).toEqual([
      { op: "add", path: ["made"], value: { $lit: "Path", path: "made-here.txt", origin: "root.reader", consumers: [] } },
    ]);
    expect(String((loaded.work as Reader).input)).toBe("/storage/root.reader/in.txt");
  });
});
