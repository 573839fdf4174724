/**
 * The `lit` command. Its commands and options are defined once, in program.ts (help and the
 * docs' reference come from there); a name that is none of them is a command of a running app.
 *
 *   lit run app.ts [--runtime bun|node|deno] [--heap-mb N] [--isolation thread|process]
 *   lit <app command> [--key value] [--app <name|port>] [--name <deployed app>]
 */
import process from "node:process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CommanderError, type Command } from "commander";
import { runtimeKind, type RuntimeKind } from "@lit-app/runtime";
import { allowComputeNames } from "@lit-app/core/internal";
import { parseHostRules } from "../remote/host-rules.ts";
import { parseHostLostAfter } from "../runner/host-lost.ts";
import { superviseApp } from "../runner/supervise.ts";
import { UsageError } from "./errors.ts";
import { loadApp } from "./load-app.ts";
import { builtinCommandNames, COMING_COMMANDS, COMING_NOTE, exitCodeOf, litProgram, type RunFlags } from "./program.ts";
import { rerunOn } from "./runtimes.ts";
import { closest } from "./suggest.ts";

const RUNTIMES: readonly RuntimeKind[] = ["bun", "node", "deno"];

/** `lit run <file>`; `args` are the words after `run`, as typed (passed on when another runtime runs it). */
async function run(file: string, values: RunFlags, args: readonly string[]): Promise<number> {
  const runtime = values.runtime;
  if (runtime !== undefined && !RUNTIMES.includes(runtime as RuntimeKind)) {
    throw new UsageError(`lit run: unknown runtime "${runtime}". Use one of: ${RUNTIMES.join(", ")}.`);
  }
  if (runtime && runtime !== runtimeKind()) {
    const rest = args.filter((a, i) => a !== "--runtime" && args[i - 1] !== "--runtime" && !a.startsWith("--runtime="));
    return rerunOn(runtime as RuntimeKind, ["run", ...rest]);
  }
  let heapLimitMb: number | undefined;
  if (values.heapMb !== undefined) {
    heapLimitMb = Number(values.heapMb);
    if (!Number.isInteger(heapLimitMb) || heapLimitMb < 16) {
      throw new UsageError(`lit run: --heap-mb takes a whole number of MB (at least 16), got "${values.heapMb}".`);
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
  let hostLostMs: number | undefined;
  if (values.hostLostAfter !== undefined) {
    hostLostMs = parseHostLostAfter(values.hostLostAfter);
    if (hostLostMs === undefined) {
      throw new UsageError(`lit run: --host-lost-after takes a number of seconds greater than 0, e.g. --host-lost-after 120; got "${values.hostLostAfter}".`);
    }
  }
  // The app runs in a thread of its own. It is also loaded here, meanwhile, so that a mistake in the file is
  // reported as it is, before the app starts.
  const options = {
    ...(heapLimitMb ? { heapLimitMb } : {}),
    ...(isolation ? { isolation: isolation as "thread" | "process" } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(values.listen !== undefined ? { listen: values.listen } : {}),
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values.server === false ? { server: false } : {}),
    ...(values.host?.length ? { hosts: values.host } : {}),
    ...(hostLostMs !== undefined ? { hostLostMs } : {}),
  };
  // Compute names of the user's own (--host a100=box) are allowed before the app's module is read.
  if (values.host?.length) allowComputeNames(parseHostRules(values.host).customComputes);
  return superviseApp(pathToFileURL(resolve(file)).href, options, loadApp(file));
}

/** `lit <command> --key value`: a command of an app running on this machine, or a mistyped command. */
async function appCommand(name: string, argv: string[], builtins: readonly string[]): Promise<number> {
  const { findRunningApps, listCommands, pickApp, runCliCommand } = await import("@lit-app/server");
  const rest = [...argv];
  let app: string | undefined;
  const at = rest.findIndex((a) => a === "--app" || a.startsWith("--app="));
  if (at >= 0) {
    const arg = rest[at] as string;
    app = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : rest[at + 1];
    rest.splice(at, arg.includes("=") ? 1 : 2);
    if (!app) throw new UsageError(`lit ${name}: --app takes the name or URL of a running app.`);
  }
  const apps = app ? [await pickApp(app)] : await findRunningApps();
  const declared = new Map<string, string[]>();
  for (const running of apps) {
    for (const command of await listCommands(running.url, running.token).catch(() => [])) {
      declared.set(command.name, [...(declared.get(command.name) ?? []), running.name]);
    }
  }
  let result: unknown;
  if (declared.has(name)) {
    result = await runCliCommand(name, rest, app ? { app } : {}).catch((error: unknown) => {
      throw (error as { code?: string }).code === "E_COMMAND_ARGS" ? new UsageError(`lit ${name}: ${(error as Error).message}`) : error;
    });
  } else {
    // No app running here declares it: a deployed app's command (the one --name names, else the only one),
    // unless it is a near miss of a command here (a typo, said at once).
    if (app || guessOf(name, builtins, declared)) throw unknownCommand(name, builtins, declared, apps.length);
    const { runDeployedCommand, takeAppName } = await import("../deploy/index.ts");
    const deployed = takeAppName(name, rest);
    result = await runDeployedCommand(name, deployed.rest, deployed.name, () => unknownCommand(name, builtins, declared, apps.length));
  }
  if (result !== undefined && result !== null) {
    process.stdout.write(typeof result === "string" ? `${result}\n` : `${JSON.stringify(result, null, 2)}\n`);
  }
  return 0;
}

/** The command of lit's or of a running app's closest to `name`, if one is close. */
function guessOf(name: string, builtins: readonly string[], declared: ReadonlyMap<string, string[]>): string | undefined {
  return closest(name, [...builtins, ...declared.keys()]);
}

/** A name that is neither lit's nor a running app's: says so, the closest name, and every command. */
function unknownCommand(name: string, builtins: readonly string[], declared: ReadonlyMap<string, string[]>, running: number): UsageError {
  const coming = new Set<string>(COMING_COMMANDS.map((c) => c.name));
  const available = builtins.filter((b) => !coming.has(b));
  const guess = guessOf(name, [...available, ...coming], declared);
  const lines = [`lit: unknown command "${name}".${guess ? ` Did you mean "${guess}"?` : ""}`];
  lines.push(`  lit's commands: ${available.join(", ")}${coming.size ? `; coming (not available yet): ${[...coming].join(", ")}` : ""}`);
  if (declared.size) {
    lines.push(`  commands of the running apps: ${[...declared].map(([command, apps]) => `${command} (${apps.join(", ")})`).join(", ")}`);
  } else {
    lines.push(
      running
        ? "  the running apps declare no commands (configureCommands)"
        : "  no app is running on this machine, so there are no app commands (start one with lit run app.ts)",
    );
  }
  lines.push("Run lit --help for the options.");
  return new UsageError(lines.join("\n"));
}

/** `lit deploy` and the other names taken for what is coming. */
async function coming(name: string): Promise<number> {
  throw new UsageError(`lit ${name}: ${COMING_NOTE}. For now run an app on this machine with lit run app.ts (lit --help lists the commands).`);
}

/** Commander reports its own mistakes (an unknown option, a missing argument) as "lit <command>: ...", exits 2. */
function reportErrorsAs(program: Command): void {
  for (const command of [program, ...program.commands]) {
    const where = command === program ? "lit" : `lit ${command.name()}`;
    command
      .exitOverride()
      .showHelpAfterError(`(${where} --help lists its options)`)
      .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, `${where}: `)) });
  }
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  const hosts = async (names: string[]) => (await import("../remote/hosts-command.ts")).hostsCommand(names);
  const deploy = () => import("../deploy/index.ts");
  const program = litProgram({
    run: (file, flags) => run(file, flags, rest),
    hosts,
    deploy: async (file, flags) => (await deploy()).deployCommand(file, flags),
    status: async (flags) => (await deploy()).statusCommand(flags),
    stop: async (flags) => (await deploy()).stopCommand(flags),
    apps: async () => (await deploy()).appsCommand(),
    logs: async (component, flags) => (await deploy()).logsCommand(component, flags),
    ui: async (flags) => (await deploy()).uiCommand(flags),
    coming,
  });
  const builtins = builtinCommandNames(program);
  if (first !== undefined && !first.startsWith("-") && first !== "help" && !builtins.includes(first)) {
    return appCommand(first, rest, builtins);
  }
  reportErrorsAs(program);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return exitCodeOf(program);
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
