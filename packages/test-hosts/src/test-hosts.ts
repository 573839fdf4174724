/**
 * Separate machines on this one: `startTestHosts()` makes a laptop and hosts,
 * each in its own network namespace on a private /24, each host with its own
 * Unix user, home and sshd; `close()` removes all of it.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { InvalidHostSpecError, NoFreeSlotError, SetupCommandError, TestHostsUnavailableError, UnknownHostError } from "./errors.ts";
import type { TestHost } from "./host.ts";
import { diskSizePattern } from "./home-disk.ts";
import { makeHost, type FullHostSpec } from "./host-setup.ts";
import { Laptop } from "./laptop.ts";
import type { InstanceState } from "./machine.ts";
import { defaultBaseDir, hostNamePattern, instanceNames, type InstanceNames } from "./naming.ts";
import { addMachine, addNamespace, setUpBridge } from "./network.ts";
import { writeRecord } from "./record.ts";
import { makePosixFolder, type HostRuntime } from "./runtimes.ts";
import { cleanupStaleTestHosts, teardownInstance } from "./teardown.ts";
import { whyNoTestHosts } from "./system.ts";

/** A GPU as `~/.lit/host.json` declares it. */
export interface DeclaredGpu {
  readonly uuid: string;
  readonly name: string;
  readonly memoryMiB: number;
}

/** One host to make. */
export interface HostSpec {
  /** Its SSH alias and name: lowercase letters, digits and hyphens, at most 20, starting with a letter. */
  readonly name: string;
  /** The JavaScript runtime on its PATH. Default "node". */
  readonly runtime?: HostRuntime;
  /** Its sshd port. Default 22. */
  readonly port?: number;
  /** GPUs written to its `~/.lit/host.json` (`{"gpus": [...]}`). Default: no file. */
  readonly gpus?: readonly DeclaredGpu[];
  /** Gives its home a disk of its own of this size ("8m", as `mount -o size=` takes it), for full-disk tests. Default: the machine's disk. */
  readonly homeSize?: string;
}

/** What to make. */
export interface TestHostsOptions {
  /** The hosts, as specs or bare names (runtime "node", port 22). */
  readonly hosts: readonly (HostSpec | string)[];
  /** Parent of the instance folder (homes, sshd configs, the laptop's home). Must be searchable by every user. Default /tmp/lit-test-hosts. */
  readonly baseDir?: string;
  /** Keep the instance when this process exits, until `close()` or the CLI's `down` (for `cli.ts up`). Default false. */
  readonly persistent?: boolean;
}

const runtimes: readonly HostRuntime[] = ["node", "bun", "both", "none"];

function normalize(specs: TestHostsOptions["hosts"]): FullHostSpec[] {
  const seen = new Set<string>();
  return specs.map((raw) => {
    const spec = typeof raw === "string" ? { name: raw } : raw;
    if (!hostNamePattern.test(spec.name)) {
      throw new InvalidHostSpecError(`name ${JSON.stringify(spec.name)} must be lowercase letters, digits and hyphens, at most 20, starting with a letter`);
    }
    if (spec.name === "laptop") throw new InvalidHostSpecError('"laptop" is the controller\'s machine; name the host otherwise');
    if (seen.has(spec.name)) throw new InvalidHostSpecError(`host ${JSON.stringify(spec.name)} is named twice`);
    seen.add(spec.name);
    const runtime = spec.runtime ?? "node";
    if (!runtimes.includes(runtime)) throw new InvalidHostSpecError(`host ${spec.name}: runtime ${JSON.stringify(runtime)} is not one of ${runtimes.join(", ")}`);
    const port = spec.port ?? 22;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidHostSpecError(`host ${spec.name}: port ${port} is not 1–65535`);
    if (spec.homeSize !== undefined && !diskSizePattern.test(spec.homeSize)) {
      throw new InvalidHostSpecError(`host ${spec.name}: homeSize ${JSON.stringify(spec.homeSize)} is not a size like "8m" (a number, then k, m or g)`);
    }
    return { name: spec.name, runtime, port, gpus: spec.gpus, homeSize: spec.homeSize };
  });
}

/** Claims a free slot by making its bridge namespace (which fails when it exists). */
async function claimSlot(baseDir: string): Promise<InstanceNames> {
  const start = process.pid % 256;
  for (let i = 0; i < 256; i++) {
    const names = instanceNames((start + i) % 256, baseDir);
    try {
      await addNamespace(names.bridgeNs);
      return names;
    } catch (error) {
      if (error instanceof SetupCommandError && /exists/i.test(error.stderr)) continue;
      throw error;
    }
  }
  throw new NoFreeSlotError();
}

/** A live harness: a laptop, hosts, faults, and `close()`. */
export class TestHosts {
  /** The instance id, the prefix of all its names ("litth7"). */
  readonly id: string;
  /** Its /24 ("10.213.7.0/24"); no address of it exists in the root namespace. */
  readonly subnet: string;
  /** Its folder. */
  readonly dir: string;
  /** The controller's machine. */
  readonly laptop: Laptop;
  /** The hosts, in the order given. */
  readonly hosts: readonly TestHost[];
  readonly #state: InstanceState;
  readonly #slot: number;
  readonly #token: string;
  #closing: Promise<void> | undefined;

  /** @internal */
  constructor(names: InstanceNames, token: string, state: InstanceState, laptop: Laptop, hosts: readonly TestHost[]) {
    this.#token = token;
    this.id = names.id;
    this.subnet = `${names.subnetPrefix}.0/24`;
    this.dir = names.dir;
    this.#slot = names.slot;
    this.#state = state;
    this.laptop = laptop;
    this.hosts = hosts;
  }

  /** The host named `name`; throws {@link UnknownHostError} for any other name. */
  host(name: string): TestHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new UnknownHostError(name, this.hosts.map((h) => h.name));
    return host;
  }

  /** Whether close() was called. */
  get closed(): boolean {
    return this.#state.closed;
  }

  /**
   * Removes everything: kills every process in its namespaces and of its
   * users, deletes the users and their homes, its folder and its namespaces.
   * Calling it again returns the same promise. When the instance was already
   * removed (the CLI's `down`), it leaves alone whatever now holds its slot.
   */
  close(): Promise<void> {
    this.#state.closed = true;
    this.#closing ??= teardownInstance(this.#slot, { dir: this.dir, token: this.#token }).then(() => {});
    return this.#closing;
  }

  /** `await using th = await startTestHosts(...)` closes it at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Makes a laptop and the given hosts. Throws {@link TestHostsUnavailableError}
 * when this machine cannot (see `whyNoTestHosts()`). Leftovers of killed runs
 * are removed first.
 *
 * @example
 * const th = await startTestHosts({ hosts: [{ name: "gpu-box", runtime: "bun" }, "cpu-box"] });
 * try {
 *   const { stdout } = await th.laptop.exec("ssh", ["gpu-box", "id", "-un"]);
 *   await th.host("gpu-box").cut();
 * } finally {
 *   await th.close();
 * }
 */
export async function startTestHosts(options: TestHostsOptions): Promise<TestHosts> {
  const specs = normalize(options.hosts);
  if (specs.length > 250) throw new InvalidHostSpecError(`${specs.length} hosts do not fit in one /24; make at most 250`);
  const why = whyNoTestHosts();
  if (why !== undefined) throw new TestHostsUnavailableError(why);
  await cleanupStaleTestHosts().catch(() => {}); // best effort: a failure here must not stop this run

  const names = await claimSlot(options.baseDir ?? defaultBaseDir);
  const token = writeRecord(names.record, names.id, names.dir, options.persistent ?? false);
  const state: InstanceState = { closed: false, bridgeNs: names.bridgeNs };
  try {
    // The slot is ours now: anything else with its prefix is a leftover of a run killed mid-teardown.
    await teardownInstance(names.slot, { dir: names.dir, keepClaim: true });
    mkdirSync(join(names.dir, "homes"), { recursive: true, mode: 0o755 });
    chmodSync(names.dir, 0o755);
    chmodSync(join(names.dir, "homes"), 0o755);
    const posixDir = posixFolder(names);
    await setUpBridge(names.bridgeNs);

    const laptop = new Laptop(state, names.laptopNs, `${names.subnetPrefix}.1`, "vlaptop", join(names.dir, "laptop"));
    await laptop.prepare();
    const laptopPublicKey = readFileSync(`${laptop.identityFile}.pub`, "utf8");
    // allSettled: on a failure, the teardown below must not race hosts still being made.
    const [laptopLink, ...made] = await Promise.allSettled([
      addMachine(names.bridgeNs, laptop.namespace, laptop.link, laptop.address),
      ...specs.map((spec, index) => makeHost(state, names, spec, index, { posixDir, laptopPublicKey })),
    ]);
    const failed = [laptopLink, ...made].find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const hosts = made.map((result) => (result as PromiseFulfilledResult<TestHost>).value);
    laptop.writeSshSetup(hosts.map((h) => ({ name: h.name, address: h.address, port: h.port, user: h.user, hostPublicKey: h.hostPublicKey })));
    return new TestHosts(names, token, state, laptop, hosts);
  } catch (error) {
    state.closed = true;
    await teardownInstance(names.slot, { dir: names.dir, token }).catch(() => {});
    throw error;
  }
}

/** Makes the POSIX programs folder in memory (/dev/shm) when it can, else in the instance folder; returns its path. */
function posixFolder(names: InstanceNames): string {
  const inMemory = join(names.memoryDir, "posix-bin");
  try {
    makePosixFolder(inMemory);
    return inMemory;
  } catch {
    rmSync(names.memoryDir, { recursive: true, force: true }); // no /dev/shm, or not writable
  }
  const onDisk = join(names.dir, "posix-bin");
  makePosixFolder(onDisk);
  return onDisk;
}
