/**
 * The app the executor conformance suite ({@link testExecutor}) runs. Its
 * works stand for what executors must carry: ordered calls and their state
 * changes, output, a work whose thread or process dies, a call that never
 * ends, and megabyte states. The core does no I/O: the module that builds the
 * app (a real app module, loaded by the executor's works) passes the
 * {@link ConformanceEffects} its engine offers.
 *
 * @example
 * // test/fixtures/conformance-app.ts
 * export const makeApp = () => conformanceApp({ write: (t) => process.stdout.write(t), exit: (c) => process.exit(c) });
 * export default makeApp();
 */
import { LightningApp } from "../app.ts";
import { LightningFlow } from "../flow.ts";
import { LightningWork } from "../work.ts";

/** What the works of the conformance app do outside the core. */
export interface ConformanceEffects {
  /** Writes `text` to the work's stdout as it is (no newline added). */
  write(text: string): void;
  /** Ends the work's thread or process with `code`. */
  exit(code: number): void;
}

let effects: ConformanceEffects = {
  write: () => undefined,
  exit: (code) => {
    throw new Error(`exit(${code}) is not available here`);
  },
};

/** Records its calls in order; a call with `0` never ends. */
export class Counter extends LightningWork {
  items: number[] = [];
  async run(n: number): Promise<void> {
    if (n === 0) await new Promise<never>(() => undefined);
    this.items.push(n);
  }
}

/** Prints lines with and without a trailing newline. */
export class Printer extends LightningWork {
  async run(): Promise<void> {
    console.log("first line");
    effects.write("second line\nthird ");
    effects.write("line\n");
    effects.write("last line, no newline");
  }
}

/** Its thread or process dies in the middle of a call. */
export class Crasher extends LightningWork {
  reached = false;
  async run(): Promise<void> {
    this.reached = true;
    effects.exit(3);
  }
}

/** Reads a state the flow gave it and makes one of `size` characters. */
export class Big extends LightningWork {
  input = "";
  seen = 0;
  output = "";
  async run(size: number): Promise<void> {
    this.seen = this.input.length;
    this.output = "y".repeat(size);
  }
}

const options = { parallel: true, raiseException: false, startWithFlow: false } as const;

/** The conformance app's flow, steered through its fields as the UI would. */
export class ConformanceRoot extends LightningFlow {
  counter = new Counter(options);
  printer = new Printer(options);
  crasher = new Crasher(options);
  big = new Big(options);
  /** Calls `counter.run(1..count)`, in that order, in one pass. */
  count = 0;
  print = false;
  crash = false;
  bigSize = 0;
  /** Calls `counter.run(0)` (which never ends) while set; stops the counter once `stopCounter` is. */
  hang = false;
  stopCounter = false;
  run(): void {
    for (let n = 1; n <= this.count; n++) this.counter.run(n);
    if (this.hang) this.counter.run(0);
    if (this.stopCounter) this.counter.stop();
    if (this.print) this.printer.run();
    if (this.crash) this.crasher.run();
    if (this.bigSize > 0) this.big.run(this.bigSize);
  }
}

/** A new conformance app whose works use `effects`. */
export function conformanceApp(given: ConformanceEffects): LightningApp {
  effects = given;
  return new LightningApp(new ConformanceRoot());
}
