/**
 * @lit-app/ssh: reaching the user's machines over SSH with ssh2. Hosts are
 * named as in `~/.ssh/config`, known_hosts is checked, and one connection per
 * host carries commands, atomic uploads and port forwards; `ensureAgent`
 * puts the lit agent on a host and starts it.
 */
export { connectHost, type ConnectOptions } from "./connect-host.ts";
export { SshHost, type ExecOptions, type ExecResult, type LocalListener, type ClosedInfo, type SshHostStats } from "./ssh-host.ts";
export { exitText } from "./exit-text.ts";
export { pipedServer, type PipedServer } from "./piped-server.ts";
export type { UploadOptions, UploadSource } from "./upload.ts";
export { resolveHost, type ResolvedHost, type ResolveHostOptions, type JumpSpec } from "./config/resolve-host.ts";
export { checkHostKey, fingerprint, keyTypeOf, knownHostsName, type HostKeyVerdict } from "./known-hosts.ts";
export * from "./errors.ts";
export { shellQuote, remotePathWord } from "./shell-quote.ts";
export { ensureAgent, type EnsureAgentOptions, type AgentEndpoint, type AgentBundleLike } from "./bootstrap/ensure-agent.ts";
export { terminalProgress, type BootstrapEvent, type ProgressSink } from "./bootstrap/progress.ts";
