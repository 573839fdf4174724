/**
 * The keys offered to a host, in the order `ssh` offers them: those of
 * ssh-agent first (IdentityAgent or `$SSH_AUTH_SOCK`; with IdentitiesOnly,
 * only those of the IdentityFile keys), then the key files
 * (IdentityFile, else `~/.ssh/id_ed25519`, `id_ecdsa`, `id_rsa`). A key file
 * encrypted with a passphrase is left to the agent: without one it is an
 * error that says how to load it.
 */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ssh2 from "ssh2";
import type { AnyAuthMethod } from "ssh2";
import type { ResolvedHost } from "./config/resolve-host.ts";
import { type HostLabel, SshKeyError } from "./errors.ts";
import { IdentitiesOnlyAgent, publicBlobsOf } from "./identities-only-agent.ts";

/** The authentication methods to try, and how to name them in an error. */
export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** `ssh-agent (<socket>)`, key file paths: what was offered, for E_SSH_AUTH messages. */
  offered: string[];
}

const MAX_KEY_BYTES = 64 << 10;
const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];

const isSocket = (path: string): boolean => {
  try {
    return statSync(path).isSocket();
  } catch {
    return false;
  }
};

/**
 * Builds the list of methods for `host`: the agent when its socket exists,
 * then every readable, unencrypted key file. Throws {@link SshKeyError} when
 * there is nothing to offer, naming the encrypted key or the files looked for.
 */
export function planAuth(host: ResolvedHost, label: HostLabel): AuthPlan {
  const methods: AnyAuthMethod[] = [];
  const offered: string[] = [];
  const agent = host.agentSocket !== undefined && isSocket(host.agentSocket) ? host.agentSocket : undefined;
  if (agent !== undefined) {
    const only = host.identitiesOnly && host.identityFiles.length > 0;
    methods.push({ type: "agent", username: host.user, agent: only ? new IdentitiesOnlyAgent(agent, publicBlobsOf(host.identityFiles)) : agent });
    offered.push(`ssh-agent (${agent}${only ? ", IdentitiesOnly" : ""})`);
  }
  const files = host.identityFiles.length > 0 ? host.identityFiles : DEFAULT_KEYS.map((k) => join(host.home, ".ssh", k));
  const encrypted: string[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      if (statSync(file).size > MAX_KEY_BYTES) continue;
      bytes = readFileSync(file);
    } catch {
      continue;
    }
    const parsed = ssh2.utils.parseKey(bytes);
    if (parsed instanceof Error) {
      if (/passphrase|encrypted/i.test(parsed.message)) encrypted.push(file);
      else if (host.identityFiles.includes(file)) {
        throw new SshKeyError(label, file, `cannot use the key ${file} (IdentityFile in ~/.ssh/config): ${parsed.message}. Point IdentityFile at an OpenSSH private key.`);
      }
      continue;
    }
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (key === undefined || !key.isPrivateKey()) continue;
    methods.push({ type: "publickey", username: host.user, key });
    offered.push(file);
  }
  if (agent === undefined && encrypted.length > 0 && methods.length === 0) {
    const file = encrypted[0]!;
    throw new SshKeyError(
      label,
      file,
      `the key ${file} is encrypted with a passphrase and no ssh-agent is running ` +
        `(${host.agentSocket === undefined ? "SSH_AUTH_SOCK is not set" : `no agent at ${host.agentSocket}`}). ` +
        `Start one and add the key: eval "$(ssh-agent)" && ssh-add ${file}`,
    );
  }
  if (methods.length === 0) {
    const first = files[0] ?? join(host.home, ".ssh", "id_ed25519");
    throw new SshKeyError(
      label,
      first,
      `no key to offer: no ssh-agent (SSH_AUTH_SOCK) and none of ${files.join(", ")} is a usable private key. ` +
        `Create one (ssh-keygen -t ed25519), install it on the host (ssh-copy-id ${label.alias}), or set IdentityFile in ~/.ssh/config.`,
    );
  }
  for (const file of encrypted) offered.push(`${file} (encrypted: not used${agent === undefined ? ", no ssh-agent" : ", left to the agent"})`);
  return { methods, offered };
}
