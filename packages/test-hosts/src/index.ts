/**
 * @lit-app/test-hosts: separate machines on this one, for tests and
 * benchmarks that cross real SSH. Each machine is a network namespace on a
 * private /24 (no address of it exists in the root namespace); each host has
 * its own Unix user, home and sshd; the laptop namespace holds the client
 * side's ~/.ssh. Faults are real: links cut with `ip link set … down`,
 * processes killed with SIGKILL, sshd stopped. Needs root on Linux.
 *
 * @example
 * import { startTestHosts } from "@lit-app/test-hosts";
 * const th = await startTestHosts({ hosts: [{ name: "gpu-box", runtime: "bun" }, "cpu-box"] });
 * await th.laptop.exec("ssh", ["gpu-box", "uname"]);
 * await th.close();
 */
export { startTestHosts, TestHosts, type TestHostsOptions, type HostSpec, type DeclaredGpu } from "./test-hosts.ts";
export { TestHost, type HostExecOptions, type HostSpawnOptions } from "./host.ts";
export { Laptop, type LaptopExecOptions, type LaptopSpawnOptions, type LaptopFetchInit, type LaptopFetchResponse, type SshTarget } from "./laptop.ts";
export { Machine } from "./machine.ts";
export type { HostRuntime } from "./runtimes.ts";
export type { ExecResult } from "./command.ts";
export type { ProcessInfo } from "./processes.ts";
export { whyNoTestHosts } from "./system.ts";
export { cleanupStaleTestHosts, removeAllTestHosts } from "./teardown.ts";
export { hashedKnownHostsLine } from "./known-hosts.ts";
export {
  TestHostsError,
  TestHostsUnavailableError,
  InvalidHostSpecError,
  UnknownHostError,
  NoFreeSlotError,
  SetupCommandError,
  HostCommandError,
  TestHostsTimeoutError,
  TestHostsClosedError,
  LaptopFetchError,
  type TestHostsErrorCode,
} from "./errors.ts";
