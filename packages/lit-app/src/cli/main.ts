/**
 * The `lit` command.
 *
 *   lit run app.ts [--runtime bun|node|deno] [--heap-mb N] [--isolation thread|process]
 */
import process from "node:process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runtimeKind, type RuntimeKind } from "@lit-app/runtime";
import { superviseApp } from "../runner/supervise.ts";
import { UsageError } from "./errors.ts";
import { loadApp } from "./load-app.ts";
import { rerunOn } from "./runtimes.ts";

const USAGE = `Usage: lit <command> [options]

Commands:
  run <app.ts>            run an app here: the flow and each work in a thread of their own
  <command> [--key value] run a command an app running on this machine declares (configureCommands)

Options of run:
  --runtime <bun|node|deno>   the JavaScript runtime to run on (default: this one)
  --port <N>                  the app server's port (default 7501, or the next free one)
  --listen <address>          listen beyond loopback (a token is then required, and printed)
  --token <token>             the token requests must carry
  --no-server                 run without the app server and UI
  --heap-mb <N>               heap limit per work's thread, in MB (Node; any runtime in a process)
  --isolation <thread|process> where works run: each in a thread (default) or its own OS process
                              (also LIT_ISOLATION=process; a work's isolation option wins)
  -h, --help                  show this help

Options of app commands:
  --app <name|url>            which running app, when several run
`;

const RUNTIMES: readonly RuntimeKind[] = ["bun", "node", "deno"];

async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      runtime: { type: "string" },
      "heap-mb": { type: "string" },
      isolation: { type: "string" },
      port: { type: "string" },
      listen: { type: "string" },
      token: { type: "string" },
      "no-server": { type: "boolean" },
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
  const isolation = values.isolation;
  if (isolation !== undefined && isolation !== "thread" && isolation !== "process") {
    throw new UsageError(`lit run: --isolation takes "thread" or "process", got "${isolation}".`);
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      throw new UsageError(`lit run: --port takes a port number (0-65535; 0 picks a free one), got "${values.port}".`);
    }
  }
  if (values.listen !== undefined && values.listen.trim() === "") {
    throw new UsageError(`lit run: --listen takes an address to listen on, e.g. --listen 0.0.0.0 (every interface); got an empty one.`);
  }
  if (values.token !== undefined && values.token === "") {
    throw new UsageError(`lit run: --token takes a token of at least 16 characters; got an empty one. Leave it out to have one generated.`);
  }
  // The app runs in a thread of its own. It is also loaded here, meanwhile, so that a mistake in the file is
  // reported as it is, before the app starts.
  const options = {
    ...(heapLimitMb ? { heapLimitMb } : {}),
    ...(isolation ? { isolation: isolation as "thread" | "process" } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values.listen !== undefined ? { listen: values.listen } : {}),
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values["no-server"] ? { server: false } : {}),
  };
  return superviseApp(pathToFileURL(resolve(file)).href, options, loadApp(file));
}

/** `lit <command> --key value`: a command of an app running on this machine. */
async function appCommand(name: string, argv: string[]): Promise<number> {
  const { runCliCommand } = await import("@lit-app/server");
  const rest = [...argv];
  let app: string | undefined;
  const at = rest.findIndex((a) => a === "--app" || a.startsWith("--app="));
  if (at >= 0) {
    const arg = rest[at] as string;
    app = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : rest[at + 1];
    rest.splice(at, arg.includes("=") ? 1 : 2);
    if (!app) throw new UsageError(`lit ${name}: --app takes the name or URL of a running app.`);
  }
  const result = await runCliCommand(name, rest, app ? { app } : {}).catch((error: unknown) => {
    throw (error as { code?: string }).code === "E_COMMAND_ARGS" ? new UsageError(`lit ${name}: ${(error as Error).message}`) : error;
  });
  if (result !== undefined && result !== null) {
    process.stdout.write(typeof result === "string" ? `${result}\n` : `${JSON.stringify(result, null, 2)}\n`);
  }
  return 0;
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
      return appCommand(command, rest);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error instanceof Error && (error.name === "TypeError" || error.name.endsWith("Error")) && "code" in error)
    ) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
