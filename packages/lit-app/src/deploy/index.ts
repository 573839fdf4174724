/**
 * `lit deploy` and the commands of deployed apps (`lit status`, `lit logs`,
 * `lit stop`, `lit apps`, `lit ui`, the apps' own commands), and the flow
 * program a deployed app's host runs.
 */
export { deployCommand, DeployError } from "./deploy-command.ts";
export { appsCommand, statusCommand, stopCommand } from "./app-commands.ts";
export { logsCommand, type LogsFlags } from "./logs-command.ts";
export { buildFlowProgram, type FlowProgram } from "./flow-program.ts";
export { defaultAppName } from "./app-name.ts";
export { uiCommand } from "./ui-command.ts";
export { runDeployedCommand, takeAppName } from "./deployed-command.ts";
export { openAppTunnel, AppTunnelError, type AppTunnel } from "./app-tunnel.ts";
