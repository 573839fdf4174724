/**
 * The known_hosts lines a deployed flow needs for another host: that host's
 * key, as it presents it now, checked here against this machine's
 * known_hosts (the user's trust), and written under the name the flow host
 * looks it up by (`[address]:port`).
 */
import net from "node:net";
import ssh2 from "ssh2";
import { checkHostKey, knownHostsName, type ResolvedHost } from "@lit-app/ssh";

/** The SSH key type a host key blob names (its first string). */
function keyType(key: Buffer): string {
  const length = key.readUInt32BE(0);
  return key.subarray(4, 4 + length).toString("latin1");
}

/** The key `host` presents, read with a handshake that stops right after it. */
function presentedKey(host: ResolvedHost, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let key: Buffer | undefined;
    const socket = net.connect({ host: host.hostName, port: host.port });
    const timer = setTimeout(() => done(new Error(`no SSH handshake within ${timeoutMs} ms`)), timeoutMs);
    const done = (error?: Error) => {
      clearTimeout(timer);
      client.end();
      socket.destroy();
      if (key) resolve(key);
      else reject(error ?? new Error("the host presented no key"));
    };
    client.on("error", (error) => done(error));
    client.connect({
      sock: socket,
      username: host.user,
      readyTimeout: timeoutMs,
      hostVerifier: (presented: Buffer) => {
        key = Buffer.from(presented);
        setImmediate(() => done());
        return false;
      },
    });
  });
}

/**
 * The known_hosts line of `host`'s key for a flow host that reaches it at its
 * HostName and Port.
 * @throws when the key is not one this machine's known_hosts trusts for the host.
 */
export async function verifiedKnownHostsLine(host: ResolvedHost, timeoutMs = 10_000): Promise<string> {
  if (host.proxyJump.length > 0) {
    throw new Error(`${host.alias} is reached through ProxyJump here; a deployed app's flow reaches its hosts directly (give it a HostName the flow's host can reach)`);
  }
  const key = await presentedKey(host, timeoutMs);
  const files = [...host.userKnownHostsFiles, ...host.globalKnownHostsFiles];
  const verdict = checkHostKey(files, host.hostKeyAlias ?? knownHostsName(host.hostName, host.port), key);
  if (verdict.kind !== "trusted") {
    throw new Error(`${host.alias}: the key it presents (${keyType(key)}) is not the one this machine's known_hosts trusts; connect once with ssh ${host.alias} and check it`);
  }
  return `${knownHostsName(host.hostName, host.port)} ${keyType(key)} ${key.toString("base64")}`;
}
