/**
 * What a {@link CommandWork} runs: the program, its arguments, extra
 * environment variables and working directory, checked with clear errors.
 */
import { CommandOptionError } from "../errors.ts";

/** The command part of a CommandWork's options. */
export interface CommandSpec {
  /** The program: a name looked up on the PATH (`python`) or a path (`./train.sh`, `/usr/bin/env`). */
  command: string;
  /** Its arguments, each one string (no shell is involved, so no quoting). Default `[]`. */
  args?: string[];
  /** Environment variables added to (or overriding) the app's own. */
  env?: Record<string, string>;
  /** The directory to run in; relative to the app's working directory. Default: the app's working directory. */
  cwd?: string;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL, in ms. Default 2000. */
  stopGraceMs?: number;
}

/** The names of {@link CommandSpec}'s options. */
export const COMMAND_OPTION_NAMES = ["command", "args", "env", "cwd", "stopGraceMs"] as const;

const EXAMPLE = `e.g. new L.CommandWork({ command: "python", args: ["train.py", "--epochs", "3"] })`;

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  try {
    return `${typeof value === "object" && value !== null ? (Array.isArray(value) ? "an array" : "an object") : `a ${typeof value}`} (${JSON.stringify(value)})`;
  } catch {
    return `a ${typeof value}`;
  }
}

function checkText(where: string, field: string, value: unknown, what: string): string {
  if (typeof value !== "string") throw new CommandOptionError(`${where}: ${field} must be a string (${what}), got ${describe(value)}.`);
  if (value.includes("\0")) throw new CommandOptionError(`${where}: ${field} contains a NUL character, which a command line cannot carry.`);
  return value;
}

/** Checks the `args` of a command (or the extra arguments of one call). */
export function checkArgs(where: string, field: string, value: unknown): string[] {
  if (!Array.isArray(value)) {
    throw new CommandOptionError(`${where}: ${field} must be an array of strings, ${EXAMPLE}; got ${describe(value)}.`);
  }
  return value.map((arg, i) => {
    if (typeof arg !== "string") {
      throw new CommandOptionError(
        `${where}: ${field}[${i}] must be a string, got ${describe(arg)}. Pass every argument as a string, e.g. String(${JSON.stringify(arg) ?? arg}).`,
      );
    }
    return checkText(where, `${field}[${i}]`, arg, "one argument");
  });
}

function checkEnv(where: string, value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new CommandOptionError(`${where}: env must be an object of strings such as { CUDA_VISIBLE_DEVICES: "0" }, got ${describe(value)}.`);
  }
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === "" || key.includes("=") || key.includes("\0")) {
      throw new CommandOptionError(`${where}: env has an invalid variable name ${JSON.stringify(key)}; names must be non-empty, without "=".`);
    }
    if (typeof v !== "string") {
      throw new CommandOptionError(`${where}: env.${key} must be a string, got ${describe(v)}. Convert it, e.g. String(${JSON.stringify(v) ?? v}).`);
    }
    out[key] = checkText(where, `env.${key}`, v, "the variable's value");
  }
  return out;
}

/** A checked command spec with its defaults filled in. */
export interface CheckedSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string | null;
  stopGraceMs: number;
}

/**
 * Checks a command spec; `where` names the component in errors
 * (`CommandWork` in a constructor, the work's dotted name at run time).
 */
export function checkSpec(where: string, spec: Partial<Record<keyof CommandSpec, unknown>>): CheckedSpec {
  if (spec.command === undefined || spec.command === null || spec.command === "") {
    throw new CommandOptionError(`${where}: the "command" option is missing: give the program to run, ${EXAMPLE}.`);
  }
  const command = checkText(where, "command", spec.command, "the program to run");
  if (command.trim() !== command || (/\s/.test(command) && !command.includes("/"))) {
    throw new CommandOptionError(
      `${where}: command ${JSON.stringify(command)} contains spaces. The command is one program, run without a shell: ` +
        `put its arguments in "args", ${EXAMPLE}.`,
    );
  }
  const args = spec.args === undefined ? [] : checkArgs(where, "args", spec.args);
  const env = spec.env === undefined ? {} : checkEnv(where, spec.env);
  let cwd: string | null = null;
  if (spec.cwd !== undefined && spec.cwd !== null) {
    cwd = checkText(where, "cwd", spec.cwd, "a directory");
    if (cwd === "") throw new CommandOptionError(`${where}: cwd is empty; leave it out to run in the app's working directory.`);
  }
  const grace = spec.stopGraceMs ?? 2000;
  if (typeof grace !== "number" || !Number.isInteger(grace) || grace < 0) {
    throw new CommandOptionError(`${where}: stopGraceMs must be a whole number of milliseconds (0 or more), got ${describe(grace)}.`);
  }
  return { command, args, env, cwd, stopGraceMs: grace };
}
