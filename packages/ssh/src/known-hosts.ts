/**
 * Checking a host's key against known_hosts files, as OpenSSH does: plain
 * and hashed (`|1|salt|hash`) host fields, `[host]:port` for ports other than
 * 22, patterns with `*`, `?` and `!`, `@revoked` keys refused,
 * `@cert-authority` lines skipped (certificates are not used here).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";

/** A known_hosts line that matched the host. */
export interface KnownHostsEntry {
  file: string;
  line: number;
  keyType: string;
  key: Buffer;
  marker: "revoked" | undefined;
}

/** What the known_hosts files say about a host key. */
export type HostKeyVerdict =
  | { kind: "trusted"; file: string; line: number }
  | { kind: "unknown"; knownTypes: string[] }
  | { kind: "changed"; file: string; line: number; revoked: boolean };

const MAX_FILE_BYTES = 64 << 20;
const MAX_LINE = 16 << 10;

/** The name a host's keys are filed under: `host` on port 22, `[host]:port` otherwise (HostKeyAlias replaces the host). */
export function knownHostsName(hostName: string, port: number): string {
  return port === 22 ? hostName.toLowerCase() : `[${hostName.toLowerCase()}]:${port}`;
}

/** The key type written inside an SSH public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "unknown";
  const n = blob.readUInt32BE(0);
  return n > 0 && n <= 64 && blob.length >= 4 + n ? blob.subarray(4, 4 + n).toString("latin1") : "unknown";
}

/** `SHA256:...`, the fingerprint `ssh-keygen -l` and `ssh` print. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

function globToRegExp(pattern: string): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, "i");
}

function hashedMatches(field: string, name: string): boolean {
  const [, magic, salt, hash] = field.split("|");
  if (magic !== "1" || salt === undefined || hash === undefined) return false;
  const want = Buffer.from(hash, "base64");
  const got = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Whether a known_hosts host field (hashed, or a comma list of patterns with `!` negation) names `name`. */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|")) return hashedMatches(field, name);
  let matched = false;
  for (const pattern of field.split(",")) {
    const negated = pattern.startsWith("!");
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

function readText(file: string): string | undefined {
  try {
    const bytes = readFileSync(file);
    return bytes.length > MAX_FILE_BYTES ? undefined : bytes.toString("utf8");
  } catch {
    return undefined;
  }
}

/** Every entry for `name` in `files` (missing files are empty). */
export function findKnownHosts(files: readonly string[], name: string): KnownHostsEntry[] {
  const out: KnownHostsEntry[] = [];
  for (const file of files) {
    const text = readText(file);
    if (text === undefined) continue;
    text.split("\n").forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#") || line.length > MAX_LINE) return;
      const fields = line.split(/\s+/);
      let marker: string | undefined;
      if (fields[0]!.startsWith("@")) marker = fields.shift();
      if (marker === "@cert-authority" || (marker !== undefined && marker !== "@revoked")) return;
      const [hosts, , b64] = fields;
      if (hosts === undefined || b64 === undefined || !hostFieldMatches(hosts, name)) return;
      const key = Buffer.from(b64, "base64");
      out.push({ file, line: i + 1, keyType: keyTypeOf(key), key, marker: marker === "@revoked" ? "revoked" : undefined });
    });
  }
  return out;
}

/**
 * Checks the key a host offered: trusted when an entry holds it; changed when
 * an entry holds another key of the same type (or marks it @revoked); unknown
 * otherwise.
 */
export function checkHostKey(files: readonly string[], name: string, key: Buffer): HostKeyVerdict {
  const entries = findKnownHosts(files, name);
  const revoked = entries.find((e) => e.marker === "revoked" && e.key.equals(key));
  if (revoked !== undefined) return { kind: "changed", file: revoked.file, line: revoked.line, revoked: true };
  const same = entries.find((e) => e.marker === undefined && e.key.equals(key));
  if (same !== undefined) return { kind: "trusted", file: same.file, line: same.line };
  const type = keyTypeOf(key);
  const old = entries.find((e) => e.marker === undefined && e.keyType === type);
  if (old !== undefined) return { kind: "changed", file: old.file, line: old.line, revoked: false };
  return { kind: "unknown", knownTypes: [...new Set(entries.filter((e) => e.marker === undefined).map((e) => e.keyType))] };
}

const DEFAULT_HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/**
 * The host key algorithms to offer, those of the keys already known for the
 * host first, so that a host known by its RSA key is asked for that key and
 * not refused as unknown for offering another one (OpenSSH does the same).
 */
export function hostKeyAlgorithms(files: readonly string[], name: string): string[] {
  const known = new Set(findKnownHosts(files, name).filter((e) => e.marker === undefined).map((e) => e.keyType));
  const first = DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => known.has(a) || (known.has("ssh-rsa") && a.startsWith("rsa-sha2")));
  return [...first, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}
