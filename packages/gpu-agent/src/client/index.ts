/**
 * `@lit-app/gpu-agent/client`: the controller's side of a host's agent. The
 * {@link RemoteExecutor} runs an app's works under the agent, over its work
 * channel (one WebSocket, carried by whatever `connect` opens: a loopback
 * URL, an ssh2 forward).
 */
export { RemoteExecutor, type RemoteExecutorOptions } from "./remote-executor.ts";
export type { AgentEndpoint } from "./channel-socket.ts";
export { readLocalAgent, type LocalAgent } from "../local-agent.ts";
