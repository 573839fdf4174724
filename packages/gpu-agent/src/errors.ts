/**
 * Every error the agent raises on purpose. Each has a literal `code` so callers
 * can branch on it, and a message that reads
 * `[agent] <what was wrong>: <which> in <where>. <what to do>`.
 */

/** The codes of {@link AgentError}s. */
export type AgentErrorCode =
  | "E_HOST_CONFIG"
  | "E_NVIDIA_SMI"
  | "E_GPU_REQUEST"
  | "E_GPU_STATE"
  | "E_AGENT_LOCK"
  | "E_AGENT_ARGS"
  | "E_AGENT_HOME"
  | "E_AGENT_FILES";

/** Base class of every error this package raises on purpose. */
export class AgentError extends Error {
  readonly code: AgentErrorCode;
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** `host.json` is not valid JSON or does not have the expected shape. */
export class HostConfigError extends AgentError {
  /** The file that is wrong. */
  readonly file: string;
  /** The field that is wrong (`gpus[1].memoryMiB`), or `""` for the whole file. */
  readonly field: string;
  constructor(file: string, field: string, problem: string, options?: { cause?: unknown }) {
    super(
      "E_HOST_CONFIG",
      `[agent] invalid host config: ${field === "" ? "" : `field "${field}" `}${problem} in ${file}. ` +
        'Fix the file (it reads {"gpus":[{"uuid":"GPU-…","name":"A100","memoryMiB":81920}]}) or remove it to use nvidia-smi.',
      options,
    );
    this.file = file;
    this.field = field;
  }
}

/** nvidia-smi is on PATH but failed, or printed what is not a GPU list. */
export class NvidiaSmiError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_NVIDIA_SMI", message, options);
  }
}

/** A work asked for GPUs it can never get (more than the host has). */
export class GpuRequestError extends AgentError {
  constructor(message: string) {
    super("E_GPU_REQUEST", message);
  }
}

/** The persisted GPU assignments cannot be read. */
export class GpuStateError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_GPU_STATE", message, options);
  }
}

/** Another agent holds the home, or the lock could not be taken. */
export class AgentLockError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_AGENT_LOCK", message, options);
  }
}

/** The agent's command line is wrong. */
export class AgentArgsError extends AgentError {
  constructor(message: string) {
    super("E_AGENT_ARGS", message);
  }
}

/** The running agent's files (`agent/agent.json`, `agent/token`) are missing or not as the agent writes them. */
export class AgentFilesError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("E_AGENT_FILES", message, options);
  }
}
