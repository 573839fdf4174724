/**
 * `lit <command> [--name NAME] --key value` for a deployed app: a command
 * that no app running on this machine declares goes to the deployed app
 * `--name` names (else the only one), through a tunnel to its server (as
 * `lit ui` opens), and runs there as the app's command client runs it locally.
 */
import { UsageError } from "../cli/errors.ts";
import { openAppTunnel } from "./app-tunnel.ts";
import { findDeployedApp } from "./ui-command.ts";

/**
 * Takes `--name <app>` (or `--name=<app>`) out of an app command's arguments.
 * @returns the deployed app's name (undefined when not given) and the command's own arguments.
 */
export function takeAppName(command: string, argv: readonly string[]): { name: string | undefined; rest: string[] } {
  const rest = [...argv];
  const at = rest.findIndex((a) => a === "--name" || a.startsWith("--name="));
  if (at < 0) return { name: undefined, rest };
  const arg = rest[at]!;
  const name = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : rest[at + 1];
  rest.splice(at, arg.includes("=") ? 1 : 2);
  if (!name || name.startsWith("--")) throw new UsageError(`lit ${command}: --name takes the name of a deployed app (lit apps lists them).`);
  return { name, rest };
}

/**
 * Runs the app command `command` of the deployed app `name` (or the only one) with the arguments `argv`
 * (`--key value`, read with the command's schema) and resolves with what its handler returned.
 * @param none the error when no name is given and no app is deployed (by default, a UsageError saying so).
 * @throws UsageError when the app declares no such command or an argument is wrong; AppTunnelError when it is not running.
 */
export async function runDeployedCommand(command: string, argv: readonly string[], name: string | undefined, none?: () => Error): Promise<unknown> {
  const found = await findDeployedApp(command, name, none);
  const { status, link } = found;
  try {
    const tunnel = await openAppTunnel(found, { command });
    try {
      const { listCommands, parseCommandArgv, runCommand } = await import("@lit-app/server");
      const commands = await listCommands(tunnel.url, tunnel.token);
      const info = commands.find((c) => c.name === command);
      if (!info) {
        const declared = commands.length ? `its commands: ${commands.map((c) => c.name).join(", ")}` : "it declares none (configureCommands)";
        throw new UsageError(`lit ${command}: the deployed app ${status.name} (on ${status.flowHost}) has no command "${command}"; ${declared}. lit --help lists lit's own commands.`);
      }
      let args: Record<string, unknown>;
      try {
        args = parseCommandArgv(argv, info.args, command);
      } catch (error) {
        throw new UsageError(`lit ${command}: ${(error as Error).message}`);
      }
      return await runCommand(tunnel.url, command, args, tunnel.token);
    } finally {
      await tunnel.close();
    }
  } finally {
    await link.close();
  }
}
