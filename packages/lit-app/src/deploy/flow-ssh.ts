/**
 * The SSH identity of a deployed app's flow on its host: a home of its own
 * (`~/.lit/deployed/<name>/ssh`) holding an `~/.ssh/config` with each other
 * host (address, port, user as the deploying machine resolved them), the
 * host keys the deploying machine verified, and the app's key, which the
 * other hosts accept for port forwarding to their agent only. The flow's
 * SSH connections read this home, not the host user's.
 */
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "@lit-app/runtime";
import type { DeployHost } from "@lit-app/gpu-agent";

/** The key file's name in the flow's `.ssh` folder. */
const KEY_FILE = "id_lit_app";

/**
 * Writes the flow's SSH home under `dir` for the hosts reached over SSH; returns
 * the environment that {@link connectHost} reads it from (`{ HOME }`).
 */
export function writeFlowSshHome(dir: string, hosts: readonly DeployHost[], privateKey: string | undefined): Record<string, string | undefined> {
  const home = join(dir, "ssh");
  const ssh = join(home, ".ssh");
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  chmodSync(ssh, 0o700);
  const remote = hosts.filter((h) => h.via === "ssh" && h.ssh);
  if (privateKey) writeFileAtomicSync(join(ssh, KEY_FILE), privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`, { mode: 0o600 });
  const config = remote.flatMap((h) => [
    `Host ${h.alias}`,
    `  HostName ${h.ssh!.hostName}`,
    `  Port ${h.ssh!.port}`,
    `  User ${h.ssh!.user}`,
    `  IdentityFile ${join(ssh, KEY_FILE)}`,
    `  IdentitiesOnly yes`,
    `  UserKnownHostsFile ${join(ssh, "known_hosts")}`,
    "",
  ]);
  writeFileAtomicSync(join(ssh, "config"), `${config.join("\n")}\n`, { mode: 0o600 });
  writeFileAtomicSync(join(ssh, "known_hosts"), `${remote.flatMap((h) => h.ssh!.knownHosts).join("\n")}\n`, { mode: 0o600 });
  // No agent: the app's key is the only one offered.
  return { HOME: home, SSH_AUTH_SOCK: undefined, USER: process.env.USER };
}
