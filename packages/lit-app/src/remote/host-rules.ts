/**
 * The `--host` rules of `lit run` and `lit deploy`: which works run on which
 * of the user's machines. `--host gpu=gpu-box` sends the works whose compute
 * name starts with `gpu` to the SSH host `gpu-box`; a bare `--host box` sends
 * every other work there. Without a rule that matches, a work runs here.
 */
import { COMPUTE_NAMES } from "@lit-app/core/internal";
import { UsageError } from "../cli/errors.ts";

/** One `--host` value, parsed. */
export interface HostRule {
  /** The compute-name prefix the rule matches; `undefined` for a bare alias (every work). */
  readonly prefix: string | undefined;
  /** The SSH host alias, as in `~/.ssh/config`. */
  readonly alias: string;
}

/** The parsed `--host` rules of one command. */
export interface HostRules {
  readonly rules: readonly HostRule[];
  /** Every alias the rules name, each once, in the order first given. */
  readonly aliases: readonly string[];
  /** Compute names the rules introduce beyond the built-in ones (`a100` in `--host a100=box`). */
  readonly customComputes: readonly string[];
  /** The alias a work with this compute name runs on, or `undefined` to run it here. */
  hostFor(computeName: string): string | undefined;
}

/** What an SSH host alias may look like here: no spaces, no leading `-`, nothing a shell would read. */
const ALIAS = /^[A-Za-z0-9_][A-Za-z0-9._@:-]{0,252}$/;
/** What a compute-name prefix may look like. */
const PREFIX = /^[a-z][a-z0-9._-]{0,62}$/;

/**
 * Parses `--host` values (`gpu=gpu-box`, `gpu-box`).
 * @throws UsageError naming the value and saying what a rule looks like.
 */
export function parseHostRules(values: readonly string[]): HostRules {
  const rules: HostRule[] = [];
  const seen = new Map<string, string>();
  for (const value of values) {
    const eq = value.indexOf("=");
    const prefix = eq === -1 ? undefined : value.slice(0, eq).trim();
    const alias = (eq === -1 ? value : value.slice(eq + 1)).trim();
    const shape = "a rule is --host <compute>=<ssh host> (--host gpu=gpu-box) or --host <ssh host> for every work";
    if (prefix !== undefined && !PREFIX.test(prefix)) {
      throw new UsageError(`--host ${JSON.stringify(value)}: ${JSON.stringify(prefix)} is not a compute name (lower-case letters, digits, ".", "_", "-"); ${shape}.`);
    }
    if (!ALIAS.test(alias)) {
      throw new UsageError(`--host ${JSON.stringify(value)}: ${JSON.stringify(alias)} is not an SSH host name as in ~/.ssh/config; ${shape}.`);
    }
    const key = prefix ?? "";
    const before = seen.get(key);
    if (before !== undefined) {
      throw new UsageError(
        prefix === undefined
          ? `--host ${alias}: every work already runs on ${before}; give one bare --host, and name the others by compute (--host gpu=${alias}).`
          : `--host ${prefix}=${alias}: the ${prefix} works already run on ${before}; give each compute name one host.`,
      );
    }
    seen.set(key, alias);
    rules.push({ prefix, alias });
  }
  const aliases = [...new Set(rules.map((r) => r.alias))];
  const builtIn = COMPUTE_NAMES as readonly string[];
  const customComputes = rules
    .map((r) => r.prefix)
    .filter((p): p is string => p !== undefined && !builtIn.some((name) => name.startsWith(p)));
  // longest prefix first, the bare rule last
  const ordered = [...rules].sort((a, b) => (b.prefix?.length ?? -1) - (a.prefix?.length ?? -1));
  return {
    rules,
    aliases,
    customComputes,
    hostFor(computeName: string): string | undefined {
      const name = computeName === "default" ? "cpu" : computeName;
      return ordered.find((r) => r.prefix === undefined || name.startsWith(r.prefix))?.alias;
    },
  };
}
