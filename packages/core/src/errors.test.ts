/**
 * Bad input: each mistake gets an error that says what was wrong, where, and
 * what to do.
 */
import { describe, expect, it } from "vitest";
import {
  CallArgumentError,
  CloudCompute,
  ComponentError,
  ComputeError,
  CronError,
  Dict,
  FlowFailedError,
  LightningApp,
  LightningFlow,
  LightningWork,
  List,
  ReservedFieldError,
  StateValueError,
  WorkOptionError,
} from "./index.ts";
import { TestApp } from "./testing/index.ts";

class Noop extends LightningWork {
  async run(..._args: unknown[]) {}
}

/** Runs an app whose flow does `body` once and returns how it ended. */
async function failingPass(body: (flow: LightningFlow & Record<string, any>) => void) {
  class Root extends LightningFlow {
    work = new Noop();
    run() {
      body(this as never);
    }
  }
  const t = new TestApp(new LightningApp(new Root()));
  await t.start();
  expect(t.result?.exitCode).toBe(1);
  return t.result!.error!;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error, none was thrown");
}

describe("an unknown compute name", () => {
  it("is refused with the list of valid names", () => {
    const error = thrown(() => new CloudCompute("tpu-huge"));
    expect(error).toBeInstanceOf(ComputeError);
    expect(error).toMatchObject({ code: "E_COMPUTE_NAME" });
    expect(error.message).toBe(
      'CloudCompute: unknown compute name "tpu-huge". Valid names: default, cpu, cpu-small, cpu-medium, gpu, gpu-fast, gpu-fast-multi. ' +
        "A name of your own works when a --host rule maps it to a machine: lit run app.ts --host tpu-huge=<ssh host>.",
    );
  });

  it("bad options name the option and what it must be", () => {
    expect(() => new CloudCompute("gpu", { gpus: -1 })).toThrow(/CloudCompute\("gpu"\): option "gpus" must be a non-negative integer, got -1/);
    expect(() => new CloudCompute("cpu", { disk: 10 } as never)).toThrow(
      /unknown option "disk". Valid options: diskSize, idleTimeout, shmSize, gpus, memoryMiB\./,
    );
    expect(() => new CloudCompute("cpu", { memoryMiB: 1.5 })).toThrow(/option "memoryMiB" must be a non-negative integer, got 1.5/);
  });
});

describe("a value that cannot be state", () => {
  it("a function: names the component and the field, says where to keep it", async () => {
    const error = await failingPass((flow) => {
      flow.callback = () => 1;
    });
    expect(error).toBeInstanceOf(StateValueError);
    expect(error).toMatchObject({ code: "E_STATE_VALUE", component: "root", field: "callback" });
    expect(error.message).toContain('root: field "callback" holds a function, which cannot be state.');
    expect(error.message).toContain('keep any other value in a field whose name starts with "_"');
  });

  it("a class instance, in a class field: names the class and the field at construction", () => {
    class Clock {}
    class Holder extends LightningFlow {
      clock = new Clock();
      run() {}
    }
    const error = thrown(() => new Holder());
    expect(error).toBeInstanceOf(StateValueError);
    expect(error.message).toContain('Holder: field "clock" holds an instance of Clock, which cannot be state.');
  });

  it("a Date nested in an object of a work says how to store it instead", async () => {
    const error = await failingPass((flow) => {
      flow.work.meta = { runs: [{ at: new Date(0) }] };
    });
    expect(error.message).toContain('root.work: field "meta.runs[0].at" holds an instance of Date');
    expect(error.message).toContain("Store date.toISOString() or date.getTime() instead.");
  });

  it("a cycle: names the field that refers back", async () => {
    const error = await failingPass((flow) => {
      const node: Record<string, unknown> = { name: "a", children: [] };
      (node.children as unknown[]).push({ parent: node });
      flow.tree = node;
    });
    expect(error).toMatchObject({ component: "root", field: "tree.children[0].parent" });
    expect(error.message).toContain("refers back to one of its own parents (a cycle)");
  });

  it("a BigInt, pushed into an array through a tracked field", async () => {
    const error = await failingPass((flow) => {
      flow.counts = [1, 2];
      (flow.counts as unknown[]).push(10n);
    });
    expect(error).toMatchObject({ component: "root", field: "counts[2]" });
    expect(error.message).toContain('root: field "counts[2]" holds a BigInt, which cannot be state. Store it as a string instead.');
  });

  it("undefined inside an array and NaN are refused too", async () => {
    expect((await failingPass((flow) => void (flow.xs = [1, undefined]))).message).toContain(
      'field "xs[1]" holds undefined inside an array (use null)',
    );
    expect((await failingPass((flow) => void (flow.score = Number.NaN))).message).toContain(
      'field "score" holds the number NaN, which cannot be state. Only finite numbers are JSON.',
    );
  });

  it("the refused value leaves the state as it was", async () => {
    class Root extends LightningFlow {
      data = { ok: 1 };
      _error: unknown;
      run() {
        try {
          this.data = { ok: 2, bad: () => 0 } as never;
        } catch (error) {
          this._error = error;
        }
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.root._error).toBeInstanceOf(StateValueError);
    expect(t.root.data).toEqual({ ok: 1 });
    expect(t.engine.stateDocument().components.root?.vars).toEqual({ data: { ok: 1 } });
  });
});

describe("a flow run() that returns a Promise", () => {
  it("async run() is refused when the flow is constructed", () => {
    class AsyncFlow extends LightningFlow {
      // The mistake under test: TypeScript accepts it, since a Promise is assignable to void.
      async run() {}
    }
    const error = thrown(() => new AsyncFlow());
    expect(error).toBeInstanceOf(ComponentError);
    expect(error).toMatchObject({ code: "E_FLOW_ASYNC" });
    expect(error.message).toBe(
      "AsyncFlow.run() is async. A flow's run() must be synchronous: it is re-executed on every change. " +
        "Move awaiting code into a LightningWork and call it from run().",
    );
  });

  it("a plain run() that returns a promise fails the app at the first pass", async () => {
    class SneakyFlow extends LightningFlow {
      run() {
        return new Promise<void>((resolve) => resolve()) as unknown as void;
      }
    }
    const t = new TestApp(new LightningApp(new SneakyFlow()));
    await t.start();
    expect(t.result).toMatchObject({ stage: "failed", exitCode: 1 });
    expect(t.result?.error).toBeInstanceOf(FlowFailedError);
    expect(t.result?.message).toContain("root.run() returned a Promise. A flow's run() must be synchronous");
    expect(t.result?.message).toContain("Move awaiting code into a LightningWork");
  });
});

describe("a work without run()", () => {
  it("is refused when constructed, naming the class", () => {
    // @ts-expect-error: the missing run() is the mistake under test.
    class Empty extends LightningWork {}
    const error = thrown(() => new Empty());
    expect(error).toMatchObject({ code: "E_WORK_NO_RUN" });
    expect(error.message).toBe(
      "Empty has no run() method. A LightningWork subclass must define run(...args), the code the work runs.",
    );
  });

  it("a flow without run() too", () => {
    // @ts-expect-error: the missing run() is the mistake under test.
    class Idle extends LightningFlow {}
    expect(() => new Idle()).toThrow("Idle has no run() method. A LightningFlow subclass must define run().");
  });
});

describe("the same work attached twice", () => {
  it("in one flow's fields: names both places", () => {
    const shared = new Noop();
    class Twice extends LightningFlow {
      a = shared;
      b = shared;
      run() {}
    }
    const error = thrown(() => new Twice());
    expect(error).toMatchObject({ code: "E_ALREADY_ATTACHED" });
    expect(error.message).toBe(
      "Noop is already attached as Twice.a; it cannot also be attached as Twice.b. " +
        "A component has one place in the tree: create a new instance for each place.",
    );
  });

  it("at run time, in a Dict and a List: names the dotted names", async () => {
    const error = await failingPass((flow) => {
      flow.pool = new Dict<Noop>();
      flow.line = new List<Noop>();
      const w = new Noop();
      flow.pool.set("one", w);
      flow.line.push(w);
    });
    expect(error.message).toContain("Noop is already attached as root.pool.one; it cannot also be attached as root.line.0.");
  });

  it("a work as the root of two apps", () => {
    const w = new Noop();
    new LightningApp(w);
    expect(() => new LightningApp(w)).toThrow(/is already attached as root.work/);
  });
});

describe("a Dict key containing a dot", () => {
  it("is refused, naming the Dict and the key, with what to use instead", async () => {
    const error = await failingPass((flow) => {
      flow.notebooks = new Dict<Noop>();
      flow.notebooks.set("alice.smith", new Noop());
    });
    expect(error).toMatchObject({ code: "E_CHILD_KEY" });
    expect(error.message).toBe(
      'root.notebooks: the key "alice.smith" contains a dot; component names are dotted paths, so a child\'s key cannot contain "." (use "-" or "_").',
    );
  });

  it("an empty key and a non-component item are refused too", () => {
    const dict = new Dict<Noop>();
    expect(() => dict.set("", new Noop())).toThrow("a child's key cannot be empty");
    expect(() => dict.set("x", { run() {} } as never)).toThrow('item "x" must be a LightningWork or a LightningFlow');
  });
});

describe("an invalid cron string", () => {
  it("with the wrong number of fields: says how many and what is accepted", async () => {
    const error = await failingPass((flow) => void flow.schedule("every hour"));
    expect(error).toBeInstanceOf(CronError);
    expect(error.message).toBe(
      'root: invalid cron string "every hour": it has 2 field(s). Use 5 fields (minute hour day-of-month month day-of-week), ' +
        "6 with seconds first, or one of: hourly, daily, midnight, weekly, monthly, yearly, annually.",
    );
  });

  it("with an out-of-range field: gives cron-parser's reason", async () => {
    const error = await failingPass((flow) => void flow.schedule("61 * * * *"));
    expect(error.message).toMatch(/^root: invalid cron string "61 \* \* \* \*": .+\. Use 5 fields/);
    expect(error.message.toLowerCase()).toContain("61");
  });

  it("a startTime that is not a date", async () => {
    const error = await failingPass((flow) => void flow.schedule("hourly", { startTime: "soon" }));
    expect(error.message).toBe('root: schedule() startTime "soon" is not a valid date.');
  });
});

describe("work.run() with an argument that cannot be sent", () => {
  it("names the work, the argument's position and path, and what may be sent", async () => {
    const error = await failingPass((flow) => flow.work.run("ok", { model: { predict: () => 0 } }));
    expect(error).toBeInstanceOf(CallArgumentError);
    expect(error.message).toBe(
      "root.work.run(): argument 2 (at model.predict) holds a function. It cannot be sent to a work: " +
        "arguments must be JSON data, a Path or a Payload.",
    );
  });

  it("a Map argument gets a hint; the call is not made", async () => {
    class Root extends LightningFlow {
      work = new Noop();
      run() {
        this.work.run(new Map([["a", 1]]));
      }
    }
    const t = new TestApp<Root>(new LightningApp(new Root()));
    await t.start();
    expect(t.result?.message).toContain("root.work.run(): argument 1 holds an instance of Map. Store Object.fromEntries(map) instead.");
    expect(t.root.work.hasStarted).toBe(false);
  });
});

describe("other misuse", () => {
  it("a field named like a framework property", () => {
    class Clash extends LightningWork {
      // @ts-expect-error: shadowing a framework property is the mistake under test.
      status = "mine";
      async run() {}
    }
    const error = thrown(() => new Clash());
    expect(error).toBeInstanceOf(ReservedFieldError);
    expect(error.message).toBe('Clash: "status" is a LightningWork property and cannot be used as a field name; rename the field.');
  });

  it("an unknown or mistyped work option", () => {
    expect(() => new Noop({ paralel: true } as never)).toThrow(WorkOptionError);
    expect(() => new Noop({ paralel: true } as never)).toThrow(
      'Noop: unknown work option "paralel". Valid options: parallel, cacheCalls, raiseException, cloudCompute, port, startWithFlow, isolation.',
    );
    expect(() => new Noop({ isolation: "proc" } as never)).toThrow('Noop: option "isolation" must be "thread" or "process", got "proc".');
    expect(() => new Noop({ parallel: "yes" } as never)).toThrow('Noop: option "parallel" must be true or false, got "yes".');
    expect(() => new Noop({ port: 70000 })).toThrow('option "port" must be an integer from 1 to 65535, got 70000');
  });

  it("a flow's own error fails the app naming the flow, with the original as cause", async () => {
    const error = await failingPass(() => {
      throw new TypeError("config.layers is undefined");
    });
    expect(error).toBeInstanceOf(FlowFailedError);
    expect(error.message).toBe("root.run() threw: config.layers is undefined");
    expect((error as FlowFailedError).cause).toBeInstanceOf(TypeError);
  });

  it("flow.now() outside a running app says how to run it", () => {
    class Loose extends LightningFlow {
      work = new Noop();
      run() {
        this.work.run();
      }
    }
    const flow = new Loose();
    expect(() => flow.now()).toThrow("Loose.now() needs a running app: wrap the root flow in new L.LightningApp(...) and start it.");
  });
});
