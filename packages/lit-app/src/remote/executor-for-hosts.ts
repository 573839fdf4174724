/**
 * What `lit run --host` puts where the executor is made: the local executor
 * for the works no rule sends elsewhere, one {@link HostExecutor} per host
 * the rules name, and a {@link RoutingExecutor} between them. Nothing of SSH
 * is loaded until a work starts on a host.
 */
import { fileURLToPath } from "node:url";
import type { WorkExecutor } from "@lit-app/core/internal";
import { localDriveAuthority, type DriveAuthority } from "./drive-authority.ts";
import { HostExecutor, type HostExecutorOptions } from "./host-executor.ts";
import { parseHostRules } from "./host-rules.ts";
import { localRelayHost, type RelayHost } from "./path-relay.ts";
import { RoutingExecutor } from "./routing-executor.ts";

/** Options of {@link executorForHosts}. */
export interface HostsExecutorOptions extends HostExecutorOptions {
  /** The `--host` values. */
  hosts: readonly string[];
  /** The app's module here (a path or file URL). */
  appModule: string | URL;
  /** The app's name (where its local works keep their storage). Default `app`. */
  appName?: string;
  /** Where the app's Drives are kept. Default: this machine (where the flow runs), in the app's storage folder. */
  driveAuthority?: () => Promise<DriveAuthority>;
}

/** The executor of a run with `--host` rules; `local` runs the works no rule sends to a host. */
export function executorForHosts(local: WorkExecutor, options: HostsExecutorOptions): WorkExecutor {
  const rules = parseHostRules(options.hosts);
  const module = options.appModule instanceof URL || /^file:/.test(options.appModule) ? fileURLToPath(options.appModule) : options.appModule;
  const hosts = new Map<string, WorkExecutor>();
  const relays = new Map<string, RelayHost>();
  const localRelay = localRelayHost(module, options.appName ?? "app");
  let authority: Promise<DriveAuthority> | undefined;
  const driveAuthority = () => (authority ??= options.driveAuthority?.() ?? localDriveAuthority(module, options.appName ?? "app", localRelay));
  for (const alias of rules.aliases) {
    const executor = new HostExecutor(alias, module, rules.customComputes, { ...options, driveAuthority });
    hosts.set(alias, executor);
    relays.set(alias, executor.relayHost());
  }
  return new RoutingExecutor(rules, local, hosts, relays, localRelay);
}
