/**
 * Making one host: its namespace and link, its user and home, the files a
 * test host starts with (the laptop's key in authorized_keys, declared GPUs
 * in ~/.lit/host.json), and its running sshd.
 */
import { chownSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { writeFileAtomicSync } from "@lit-app/runtime";
import { TestHost } from "./host.ts";
import type { InstanceState } from "./machine.ts";
import type { InstanceNames } from "./naming.ts";
import { mountHomeDisk } from "./home-disk.ts";
import { addMachine } from "./network.ts";
import { hostPath, type HostRuntime } from "./runtimes.ts";
import { prepareSshd, startSshd } from "./sshd.ts";
import { createUser, type UnixUser } from "./users.ts";

/** A host spec with its defaults filled in. */
export interface FullHostSpec {
  readonly name: string;
  readonly runtime: HostRuntime;
  readonly port: number;
  readonly gpus?: readonly { readonly uuid: string; readonly name: string; readonly memoryMiB: number }[];
  readonly homeSize?: string;
}

/** Writes `relativePath` under the user's home, owned by the user (parent folders too). */
function writeOwned(user: UnixUser, relativePath: string, data: string, mode: number, dirMode = 0o755): void {
  const file = join(user.home, relativePath);
  for (let dir = dirname(file); dir !== user.home && dir.startsWith(user.home); dir = dirname(dir)) {
    mkdirSync(dir, { recursive: true, mode: dirMode });
    chownSync(dir, user.uid, user.gid);
  }
  writeFileAtomicSync(file, data, { mode });
  chownSync(file, user.uid, user.gid);
}

/** Makes host number `index` of the instance; resolves once its sshd listens. */
export async function makeHost(
  state: InstanceState,
  names: InstanceNames,
  spec: FullHostSpec,
  index: number,
  context: { readonly posixDir: string; readonly laptopPublicKey: string },
): Promise<TestHost> {
  const namespace = names.hostNs(spec.name);
  const address = `${names.subnetPrefix}.${index + 2}`;
  const link = `vh${index}`;
  const sshdDir = join(names.dir, "sshd", spec.name);
  const path = hostPath(spec.runtime, join(names.dir, "runtimes"), context.posixDir);
  const home = join(names.dir, "homes", spec.name);
  if (spec.homeSize) await mountHomeDisk(home, spec.homeSize, spec.name);
  const [user] = await Promise.all([createUser(names.user(spec.name), home, { homeExists: spec.homeSize !== undefined }), addMachine(names.bridgeNs, namespace, link, address)]);
  writeOwned(user, ".ssh/authorized_keys", context.laptopPublicKey, 0o600, 0o700);
  if (spec.gpus) writeOwned(user, ".lit/host.json", JSON.stringify({ gpus: spec.gpus }, null, 2) + "\n", 0o644);
  const sshd = { host: spec.name, ns: namespace, dir: sshdDir, address, port: spec.port, user: user.name, path };
  await prepareSshd(sshd);
  await startSshd(sshd);
  return new TestHost(state, { ...spec, namespace, address, link, user: user.name, uid: user.uid, gid: user.gid, home: user.home, path, sshdDir });
}
