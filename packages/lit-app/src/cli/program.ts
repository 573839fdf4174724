/**
 * The `lit` command's one definition: its commands, arguments and options. `lit --help`,
 * `lit <command> --help` and the CLI reference in the docs ({@link cliReferenceMarkdown})
 * all come from it. Loading it starts nothing.
 */
import { Command } from "commander";

/** What `lit run` reads from its options, before they are checked. */
export interface RunFlags {
  runtime?: string;
  port?: string;
  listen?: string;
  token?: string;
  server?: boolean;
  heapMb?: string;
  isolation?: string;
  /** `--host` values, as given. */
  host?: string[];
  /** `--host-lost-after`: seconds, as given. */
  hostLostAfter?: string;
}

/** What `lit deploy` reads from its options. */
export interface DeployFlags {
  /** `--host` values, as given. */
  host?: string[];
  name?: string;
  flowHost?: string;
  /** `--resume`: keep the state of the app deployed before under this name. */
  resume?: boolean;
  /** `--public`: the app server listens on every address of its flow host, with a token. */
  public?: boolean;
  /** `--token`: the public server's token (generated when not given). */
  token?: string;
}

/** What the commands do; left out, a command only describes itself (for help and the docs). */
export interface CliActions {
  /** `lit run <app>`: resolves to the exit code. */
  run(file: string, flags: RunFlags): Promise<number>;
  /** `lit hosts [host...]`: resolves to the exit code. */
  hosts?(names: string[]): Promise<number>;
  /** `lit deploy <app>`: resolves to the exit code. */
  deploy?(file: string, flags: DeployFlags): Promise<number>;
  /** `lit status`: resolves to the exit code. */
  status?(flags: { name?: string }): Promise<number>;
  /** `lit stop`: resolves to the exit code. */
  stop?(flags: { name?: string; purge?: boolean }): Promise<number>;
  /** `lit apps`: resolves to the exit code. */
  apps?(): Promise<number>;
  /** `lit ui`: resolves to the exit code once the tunnel is closed. */
  ui?(flags: { name?: string; port?: string }): Promise<number>;
  /** `lit logs [component]`: resolves to the exit code. */
  logs?(component: string | undefined, flags: { name?: string; follow?: boolean }): Promise<number>;
  /** A command named in the definition that is not available yet. */
  coming(name: string): Promise<number>;
}

/** Commands whose names are taken by `lit` itself, described now and available later. */
export const COMING_COMMANDS: readonly { name: string; args: string; summary: string }[] = [];

/** The text a command that is not available yet shows and says. */
export const COMING_NOTE = "coming: not available yet";

const APP_COMMANDS_HELP = `
App commands:
  Any other command is one that an app declares (its configureCommands()),
  e.g. lit add-notebook --username alice. It goes to the app running on this
  machine that declares it; when none does, to a deployed app, through an SSH
  tunnel to its flow host (as lit ui opens).
  --app <name|port>           which app running here, when several run
  --name <name>               which deployed app (default: the only one)
`;

/**
 * Builds the `lit` command.
 * @param actions what the commands do; without them the definition only describes itself.
 * @example
 * litProgram().helpInformation(); // the text of `lit --help`
 */
export function litProgram(actions?: CliActions): Command {
  const program = new Command("lit")
    .usage("<command> [options]")
    .description("Run lit-app apps, and the commands they declare.")
    .helpOption("-h, --help", "show this help")
    .helpCommand("help [command]", "show the help of a command")
    .addHelpText("after", APP_COMMANDS_HELP);

  program
    .command("run")
    .description("run an app here: the flow and each work in a thread of their own")
    .argument("<app>", "the app's file, e.g. app.ts")
    .option("--runtime <bun|node|deno>", "the JavaScript runtime to run on (default: this one)")
    .option("--port <N>", "the app server's port (default 7501, or the next free one)")
    .option("--listen <address>", "listen beyond loopback (a token is then required, and printed)")
    .option("--token <token>", "the token requests must carry")
    .option("--no-server", "run without the app server and UI")
    .option("--heap-mb <N>", "heap limit per work's thread, in MB (Node; any runtime in a process)")
    .option(
      "--isolation <thread|process>",
      "where works run: each in a thread (default) or its own OS process (also LIT_ISOLATION=process; a work's isolation option wins)",
    )
    .option(
      "--host <compute=ssh-host>",
      "run the works whose compute name starts with <compute> on that SSH host (as in ~/.ssh/config), e.g. --host gpu=gpu-box; a bare --host gpu-box puts every work there (repeatable)",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      "--host-lost-after <seconds>",
      "how long a host may stay unreachable before its works fail with reason \"host lost\" (default 600; also LIT_HOST_LOST_AFTER)",
    )
    .helpOption("-h, --help", "show this help")
    .action(async (file: string, flags: RunFlags) => {
      if (actions) setExitCode(program, await actions.run(file, flags));
    });

  program
    .command("hosts")
    .description("each host's lit agent, its GPUs (free and used) and running works; without a name, the hosts lit run --host used from here")
    .argument("[hosts...]", "SSH hosts as in ~/.ssh/config, e.g. gpu-box")
    .helpOption("-h, --help", "show this help")
    .action(async (names: string[]) => {
      if (actions?.hosts) setExitCode(program, await actions.hosts(names));
    });

  const collect = (value: string, previous: string[] = []) => [...previous, value];
  const appName = "--name <name>";
  const appNameHelp = "the deployed app (default: the only one)";
  program
    .command("deploy")
    .description("run an app on your own machines, flow included, after this command returns (hosts reached over SSH)")
    .argument("<app>", "the app's file, e.g. app.ts")
    .requiredOption("--host <compute=ssh-host>", "as for lit run: the works whose compute name starts with <compute> run on that SSH host; a bare --host gpu-box puts every work there (repeatable)", collect)
    .option(appName, "the app's name (default: its folder's name); deploying again under a name replaces that app")
    .option("--flow-host <ssh-host>", "where the flow runs (default: the first --host)")
    .option("--resume", "keep the last state of the app deployed before under this name (its component tree must match); without it the app starts afresh")
    .option("--public", "the app server listens on every address of the flow host, and every request needs the token (printed); without it, loopback only: lit ui is the way in")
    .option("--token <token>", "with --public: the token requests must carry (at least 16 characters; default: generated)")
    .helpOption("-h, --help", "show this help")
    .action(async (file: string, flags: DeployFlags) => {
      if (actions?.deploy) setExitCode(program, await actions.deploy(file, flags));
    });
  program
    .command("status")
    .description("a deployed app's stage, and each component's status and host")
    .option(appName, appNameHelp)
    .helpOption("-h, --help", "show this help")
    .action(async (flags: { name?: string }) => {
      if (actions?.status) setExitCode(program, await actions.status(flags));
    });
  program
    .command("stop")
    .description("stop a deployed app: every process of it on every host, and its key taken back")
    .option(appName, appNameHelp)
    .option("--purge", "also remove its storage on its flow's host")
    .helpOption("-h, --help", "show this help")
    .action(async (flags: { name?: string; purge?: boolean }) => {
      if (actions?.stop) setExitCode(program, await actions.stop(flags));
    });
  program
    .command("logs")
    .description("a deployed app's log lines, every line once (across restarts and dropped links)")
    .argument("[component]", "only this component's lines (its dotted name, e.g. root.work_a)")
    .option(appName, appNameHelp)
    .option("-f, --follow", "keep printing lines as they come, until the app ends")
    .helpOption("-h, --help", "show this help")
    .action(async (component: string | undefined, flags: { name?: string; follow?: boolean }) => {
      if (actions?.logs) setExitCode(program, await actions.logs(component, flags));
    });
  program
    .command("ui")
    .description("a tunnel from this machine to a deployed app's server, through SSH: prints its URL (UI and API) and keeps it open until Ctrl-C")
    .option(appName, appNameHelp)
    .option("--port <N>", "the port on this machine's 127.0.0.1 (default: a free one)")
    .helpOption("-h, --help", "show this help")
    .action(async (flags: { name?: string; port?: string }) => {
      if (actions?.ui) setExitCode(program, await actions.ui(flags));
    });
  program
    .command("apps")
    .description("the apps deployed on the hosts lit knows (from earlier lit deploy and lit run --host)")
    .helpOption("-h, --help", "show this help")
    .action(async () => {
      if (actions?.apps) setExitCode(program, await actions.apps());
    });

  for (const coming of COMING_COMMANDS) {
    program
      .command(`${coming.name}${coming.args ? ` ${coming.args}` : ""}`)
      .description(`(${COMING_NOTE}) ${coming.summary}`)
      .helpOption("-h, --help", "show this help")
      .allowUnknownOption()
      .allowExcessArguments()
      .action(async () => {
        if (actions) setExitCode(program, await actions.coming(coming.name));
      });
  }
  return program;
}

const exitCodes = new WeakMap<Command, number>();

function setExitCode(program: Command, code: number): void {
  exitCodes.set(program, code);
}

/** The exit code the command's action resolved to, after `parseAsync`. */
export function exitCodeOf(program: Command): number {
  return exitCodes.get(program) ?? 0;
}

/** The names of `lit`'s own commands, available or coming. */
export function builtinCommandNames(program: Command = litProgram()): string[] {
  return program.commands.map((c) => c.name());
}

/**
 * The `lit` command's reference as Markdown, from the same definition as `lit --help`:
 * one section per command with its usage, arguments and options.
 * @example
 * writeFileSync("docs/cli.md", cliReferenceMarkdown());
 */
export function cliReferenceMarkdown(program: Command = litProgram()): string {
  const out: string[] = [`# The \`lit\` command`, "", program.description(), ""];
  out.push(`\`\`\`\nlit ${program.usage()}\n\`\`\``, "");
  for (const command of program.commands) {
    out.push(`## \`lit ${command.name()}\``, "", command.description(), "");
    out.push(`\`\`\`\nlit ${command.name()} ${command.usage()}\n\`\`\``, "");
    if (command.registeredArguments.length) {
      out.push("| Argument | |", "| --- | --- |");
      for (const arg of command.registeredArguments) out.push(`| \`${arg.name()}\`${arg.required ? "" : " (optional)"} | ${arg.description} |`);
      out.push("");
    }
    if (command.options.length) {
      out.push("| Option | |", "| --- | --- |");
      for (const option of command.options) out.push(`| \`${option.flags}\` | ${option.description} |`);
      out.push("");
    }
  }
  out.push(`## App commands`, "", APP_COMMANDS_HELP.replace(/^\s*App commands:\s*/, "").replace(/\n\s+/g, " ").trim(), "");
  return out.join("\n");
}
