/**
 * CommandWork: a work that runs an external program, such as `python train.py`
 * on a GPU box, and streams its output as the work's log lines.
 */
import { LightningWork, onWorkStop, WorkOptionError, type WorkOptions } from "@lit-app/core";
import { registerWorkClass } from "@lit-app/core/internal";
import { CommandFailedError, CommandOptionError } from "../errors.ts";
import { checkArgs, checkSpec, COMMAND_OPTION_NAMES, type CommandSpec } from "./command-spec.ts";
import type { CommandExit } from "./run-command.ts";

/** Options of a {@link CommandWork}: the command and the usual work options. */
export interface CommandWorkOptions extends WorkOptions, CommandSpec {}

function failure(where: string, commandLine: string, cwd: string, exit: CommandExit, stopped: boolean): CommandFailedError {
  const how =
    exit.signal !== null
      ? `was ended by signal ${exit.signal}${stopped ? " (the work was stopped)" : ""}`
      : `failed with exit code ${exit.exitCode}`;
  const [stream, tail] = exit.stderrTail.length > 0 ? ["stderr", exit.stderrTail] : ["stdout", exit.stdoutTail];
  const shown = tail.length > 0 ? ` Last lines of ${stream}:\n${tail.map((l) => `  ${l}`).join("\n")}` : " It printed nothing.";
  return new CommandFailedError(exit.exitCode, exit.signal, tail, `${where}: command \`${commandLine}\` ${how} (cwd: ${cwd}).${shown}`);
}

/**
 * Runs an external command: each line it prints becomes a log line of the
 * work (`root.train | epoch 1 ...`), `exitCode` and `pid` are public state,
 * a non-zero exit fails the work with the exit code and the last lines of
 * stderr, and `stop()` (or the app ending) kills the command and every
 * process it started (SIGTERM to its process group, SIGKILL after
 * `stopGraceMs`).
 *
 * `command`, `args`, `env` and `cwd` are public state: the flow may change
 * them before a call, and the UI shows them, so do not put secrets in `env`
 * (the command inherits the app's own environment; set secrets there).
 * `PYTHONUNBUFFERED=1` is set unless `env` says otherwise, so a Python
 * script's prints stream as they happen.
 * @example
 * class Root extends L.LightningFlow {
 *   train = new L.CommandWork({
 *     command: "python",
 *     args: ["train.py", "--epochs", "3"],
 *     env: { WANDB_MODE: "offline" },
 *     cwd: "research",
 *     cloudCompute: new L.CloudCompute("gpu"),
 *   });
 *   run() {
 *     this.train.run();            // or this.train.run(["--lr", "0.1"]): arguments added to `args`
 *     if (this.train.hasSucceeded) this.stop("trained");
 *   }
 * }
 */
export class CommandWork extends LightningWork {
  /** The program to run. */
  declare command: string;
  /** Its arguments. */
  declare args: string[];
  /** Environment variables added to the app's own. */
  declare env: Record<string, string>;
  /** The directory it runs in, or `null` for the app's working directory. */
  declare cwd: string | null;
  /** The exit code of the last run, once it ended (`null` while running or when a signal ended it). */
  declare exitCode: number | null;
  /** The signal that ended the last run, if one did. */
  declare signal: string | null;
  /** The process id of the last run (also its process group id). */
  declare pid: number | null;
  declare private _stopGraceMs: number;
  declare private _stopping: boolean;

  /**
   * @param options the command (`command`, `args`, `env`, `cwd`, `stopGraceMs`) and the work's options.
   * @param rebuildWith for subclasses whose constructor takes other arguments: what to rebuild the work with (see LightningWork).
   */
  constructor(options: CommandWorkOptions, rebuildWith?: unknown) {
    const where = new.target.name || "CommandWork";
    if (options === null || typeof options !== "object") {
      throw new CommandOptionError(`${where}: options must be an object such as { command: "python", args: ["train.py"] }.`);
    }
    const { command, args, env, cwd, stopGraceMs, ...workOptions } = options;
    const spec = checkSpec(where, { command, args, env, cwd, stopGraceMs });
    const recorded = { ...workOptions, command: spec.command, args: spec.args, env: spec.env, stopGraceMs: spec.stopGraceMs, ...(spec.cwd === null ? {} : { cwd: spec.cwd }) };
    try {
      super(workOptions, arguments.length > 1 ? rebuildWith : recorded);
    } catch (error) {
      if (error instanceof WorkOptionError && error.message.includes("unknown work option")) {
        throw new CommandOptionError(`${error.message} The command's own options are: ${COMMAND_OPTION_NAMES.join(", ")}.`);
      }
      throw error;
    }
    this.command = spec.command;
    this.args = spec.args;
    this.env = spec.env;
    this.cwd = spec.cwd;
    this.exitCode = null;
    this.signal = null;
    this.pid = null;
    this._stopGraceMs = spec.stopGraceMs;
    this._stopping = false;
  }

  /**
   * Runs the command (with `extraArgs` after `args`) and resolves when it
   * exits with code 0; otherwise throws a {@link CommandFailedError}, or a
   * {@link CommandNotFoundError} / {@link CommandStartError} when it cannot start.
   */
  async run(extraArgs: string[] = []): Promise<void> {
    // Loaded here, not with lit-app: every work's thread imports lit-app, and only a CommandWork runs a command.
    const [{ displayCommand, resolveCwd, startCommand }, { groupAlive, killGroup }] = await Promise.all([import("./run-command.ts"), import("./process-group.ts")]);
    const where = this.name;
    const spec = checkSpec(where, { command: this.command, args: this.args, env: this.env, cwd: this.cwd, stopGraceMs: this._stopGraceMs });
    const args = [...spec.args, ...checkArgs(where, "the argument of run()", extraArgs ?? [])];
    const cwd = resolveCwd(spec.cwd);
    this.exitCode = null;
    this.signal = null;
    this.pid = null;
    this._stopping = false;
    const started = await startCommand(
      { where, command: spec.command, args, env: spec.env, cwd },
      (line) => console.log("%s", line),
      (line) => console.error("%s", line),
    );
    this.pid = started.pid;
    const grace = spec.stopGraceMs;
    const removeHook = onWorkStop(this, async () => {
      this._stopping = true;
      await killGroup(started.pid, grace);
    });
    const exit = await started.done;
    // Processes the command left running in the background stay until the work stops.
    if (!(await groupAlive(started.pid))) removeHook();
    this.exitCode = exit.exitCode;
    this.signal = exit.signal;
    if (exit.exitCode !== 0) throw failure(where, displayCommand(spec.command, args), cwd, exit, this._stopping);
  }
}

registerWorkClass(CommandWork);
