/**
 * @lit-app/gpu-agent: the agent that runs works on one of the user's machines,
 * reached only through SSH port forwarding. This is its public surface: the
 * app and its modules, GPU inventory and assignment, the works' processes and
 * their channel, the bundles that the SSH bootstrap uploads (the agent's, and
 * an app's work program), and the files of a lit home. The controller's side
 * is `@lit-app/gpu-agent/client` (RemoteExecutor). The agent's program is
 * `src/main.ts` (bundled by {@link buildAgentBundle}).
 */
export { createAgentApp, type AgentAppOptions, type AgentContext, type AgentMount } from "./app.ts";
export { startAgent, type StartAgentOptions, type RunningAgent, type AlreadyRunning } from "./agent.ts";
export type { AgentModule, AgentModuleContext, AgentModuleInstance } from "./module.ts";
export type { AgentInfo } from "./agent-info.ts";
export { buildAgentBundle, type AgentBundle } from "./bundle.ts";
export { buildWorkBundle, CARRIED_MODULES_WRITER, carriedAppModulesSource, type WorkBundle, type WorkBundleOptions } from "./works/work-bundle.ts";
export { appModuleKey, appModuleByKey, type CarriedAppModules } from "./works/module-keys.ts";
export { buildNodeBundle, type NodeBundle, type NodeBundleInput } from "./node-bundle.ts";
export { storageModule, STORAGE_ROUTE } from "./storage-module.ts";
export { worksModule } from "./works/works-module.ts";
export { WorkProcesses, WORK_PROGRAM, type WorkProcessesOptions, type WorkProcessesListener, type OpenWork, type WorkSummary } from "./works/work-processes.ts";
export { channelEvents } from "./channel/route.ts";
export { MAX_MESSAGE_BYTES, type ControllerMessage, type AgentMessage } from "./channel/messages.ts";
export { agentPaths, defaultHome, type AgentPaths } from "./paths.ts";
export { AGENT_VERSION } from "./version.ts";
export { tokenMatches } from "./token.ts";
export { AgentHttpError, readJsonBody, errorResponse, DEFAULT_BODY_LIMIT, type ErrorBody } from "./http-errors.ts";
export { hostReport, type HostReport } from "./host-report.ts";
export { EMPTY_WORK_TABLE, type WorkTable, type WorkTableEntry } from "./work-table.ts";
export type { Gpu } from "./gpu/gpu.ts";
export { GpuPool, type GpuAssignment, type GpuWaiter, type GpuPoolOptions, type AcquireOptions } from "./gpu/gpu-pool.ts";
export { gpuCount, type ComputeLike } from "./gpu/gpu-count.ts";
export { parseNvidiaSmi, queryNvidiaSmi, NVIDIA_SMI_ARGS } from "./gpu/nvidia-smi.ts";
export { readHostConfig, type HostConfig } from "./gpu/host-config.ts";
export { readGpuInventory, type GpuInventory, type GpuInventoryOptions } from "./gpu/inventory.ts";
export {
  AgentError,
  HostConfigError,
  NvidiaSmiError,
  GpuRequestError,
  GpuStateError,
  AgentLockError,
  AgentArgsError,
  type AgentErrorCode,
} from "./errors.ts";
export type { ServeAdapter, Listening } from "./serve/types.ts";
export { createServeAdapter } from "./serve/adapter.ts";
export { appsModule, mountAppRoutes } from "./apps/apps-module.ts";
export { DeployedApps, DEPLOYED_DIR_ENV, DEPLOYED_RESTARTS_ENV, type DeployedAppsOptions } from "./apps/deployed-apps.ts";
export { APP_NAME, deployAppSchema, deployHostSchema, type DeployAppSpec, type DeployHost, type DeployedAppStatus, type DeployedStage } from "./apps/app-spec.ts";
export { appFiles, appFilesIn, deployedRoot, type AppFiles } from "./apps/app-files.ts";
