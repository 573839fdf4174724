/** Where the agent keeps its files under the lit home (`~/.lit` by default). */
import { homedir } from "node:os";
import { join } from "node:path";

/** The files of one lit home. */
export interface AgentPaths {
  /** The lit home itself. */
  home: string;
  /** `host.json`: GPUs a user declares or restricts. */
  hostConfig: string;
  /** `agent/`: the agent's own files (mode 0700). */
  dir: string;
  /** `agent/agent.json`: the running agent's {@link AgentInfo}. */
  info: string;
  /** `agent/token`: the bearer token (mode 0600). */
  token: string;
  /** `agent/control.sock`: held by the running agent; asks it who it is, or to stop. */
  control: string;
  /** `agent/start.lock`: held while an agent starts, so two starts do not race. */
  startLock: string;
  /** `agent/gpus.json`: which work holds which GPU. */
  gpus: string;
  /** `agent/agent.log`: a detached agent's output. */
  log: string;
}

/** The default lit home: `~/.lit`. */
export function defaultHome(): string {
  return join(homedir(), ".lit");
}

/** The agent's paths under `home`. */
export function agentPaths(home: string): AgentPaths {
  const dir = join(home, "agent");
  return {
    home,
    hostConfig: join(home, "host.json"),
    dir,
    info: join(dir, "agent.json"),
    token: join(dir, "token"),
    control: join(dir, "control.sock"),
    startLock: join(dir, "start.lock"),
    gpus: join(dir, "gpus.json"),
    log: join(dir, "agent.log"),
  };
}
