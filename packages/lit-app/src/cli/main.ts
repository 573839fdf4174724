/**
 * The `lit` command.
 *
 *   lit run app.ts [--runtime bun|node|deno] [--heap-mb N]
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { runtimeKind, type RuntimeKind } from "@lit-app/local-workers";
import { runApp } from "../runner/run-app.ts";
import { UsageError } from "./errors.ts";
import { loadApp } from "./load-app.ts";
import { rerunOn } from "./runtimes.ts";

const USAGE = `Usage: lit <command> [options]

Commands:
  run <app.ts>     run an app here: the flow in this process, each work in a worker thread

Options of run:
  --runtime <bun|node|deno>   the JavaScript runtime to run on (default: this one)
  --heap-mb <N>               heap limit per work's thread, in MB (Node)
  -h, --help                  show this help
`;

const RUNTIMES: readonly RuntimeKind[] = ["bun", "node", "deno"];

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      runtime: { type: "string" },
      "heap-mb": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = positionals[0];
  if (!file) throw new UsageError("lit run: which app? Usage: lit run app.ts");
  const runtime = values.runtime;
  if (runtime !== undefined && !RUNTIMES.includes(runtime as RuntimeKind)) {
    throw new UsageError(`lit run: unknown runtime "${runtime}". Use one of: ${RUNTIMES.join(", ")}.`);
  }
  if (runtime && runtime !== runtimeKind()) {
    const rest = args.filter((a, i) => a !== "--runtime" && args[i - 1] !== "--runtime" && !a.startsWith("--runtime="));
    return rerunOn(runtime as RuntimeKind, ["run", ...rest]);
  }
  let heapLimitMb: number | undefined;
  if (values["heap-mb"] !== undefined) {
    heapLimitMb = Number(values["heap-mb"]);
    if (!Number.isInteger(heapLimitMb) || heapLimitMb < 16) {
      throw new UsageError(`lit run: --heap-mb takes a whole number of MB (at least 16), got "${values["heap-mb"]}".`);
    }
  }
  const { app, url } = await loadApp(file);
  const result = await runApp(app, { appModule: url, ...(heapLimitMb ? { heapLimitMb } : {}) });
  return result.exitCode;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case "-h":
    case "--help":
    case "help":
      process.stdout.write(USAGE);
      return command === undefined ? 1 : 0;
    case "run":
      return run(rest);
    default:
      throw new UsageError(`lit: unknown command "${command}". Run "lit --help" for the commands.`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof Error && error.name === "TypeError" && "code" in error)) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
