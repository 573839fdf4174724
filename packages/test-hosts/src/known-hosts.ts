/**
 * known_hosts lines as `ssh-keyscan -H` writes them: the host part hashed
 * (`|1|base64(salt)|base64(HMAC-SHA1(salt, host))`), then the key.
 */
import { createHmac, randomBytes } from "node:crypto";

/** The host part OpenSSH looks up: the address, or `[address]:port` off port 22. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** One hashed known_hosts line for `publicKey` ("ssh-ed25519 AAAA... comment"). */
export function hashedKnownHostsLine(address: string, port: number, publicKey: string): string {
  const salt = randomBytes(20);
  const hash = createHmac("sha1", salt).update(knownHostsName(address, port)).digest();
  const [type, key] = publicKey.trim().split(/\s+/);
  return `|1|${salt.toString("base64")}|${hash.toString("base64")} ${type} ${key}`;
}

/** Whether a hashed or plain known_hosts line names `address`:`port`. */
export function lineNames(line: string, address: string, port: number): boolean {
  const hostPart = line.trim().split(/\s+/)[0] ?? "";
  const name = knownHostsName(address, port);
  if (!hostPart.startsWith("|1|")) return hostPart.split(",").includes(name);
  const [, , salt, hash] = hostPart.split("|");
  if (salt === undefined || hash === undefined) return false;
  return createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
}
