/**
 * The known_hosts lines a deployed flow needs for another host: that host's
 * key as it presented it to this machine's connection (checked then against
 * this machine's known_hosts: the user's trust), written under the name the
 * flow host looks it up by (`[address]:port`).
 */
import { keyTypeOf, knownHostsName, type SshHost } from "@lit-app/ssh";

/**
 * The known_hosts line of the key `host` presented as it connected, for a
 * flow host that reaches it at its HostName and Port.
 * @throws when the host is reached through ProxyJump here (the flow reaches its hosts directly).
 */
export function verifiedKnownHostsLine(host: SshHost): string {
  const { resolved } = host;
  if (resolved.proxyJump.length > 0) {
    throw new Error(`${resolved.alias} is reached through ProxyJump here; a deployed app's flow reaches its hosts directly (give it a HostName the flow's host can reach)`);
  }
  return `${knownHostsName(resolved.hostName, resolved.port)} ${keyTypeOf(host.hostKey)} ${host.hostKey.toString("base64")}`;
}
