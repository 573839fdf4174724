/**
 * The instance's network: a bridge in its own namespace, and one namespace
 * per machine joined to it by a veth pair. The machine's end is `eth0`, with
 * the machine's address; the bridge's end is what a cut takes down, so the
 * machine keeps its address and routes while its packets go nowhere, as when
 * a cable is pulled. Nothing is ever made in the root namespace.
 */
import { runOk } from "./command.ts";
import { systemTools } from "./system.ts";

/** The bridge namespace's bridge device. */
const bridge = "br0";

/** Makes namespace `ns`, or fails when it exists (so it doubles as a lock). */
export async function addNamespace(ns: string): Promise<void> {
  await runOk(systemTools().ip, ["netns", "add", ns], `netns ${ns}`);
}

/** Removes namespace `ns`; a namespace already gone is fine. */
export async function deleteNamespace(ns: string): Promise<void> {
  const { ip } = systemTools();
  if (!(await listNamespaces()).includes(ns)) return;
  await runOk(ip, ["netns", "del", ns], `netns ${ns}`);
}

/** The names of every network namespace `ip netns` knows. */
export async function listNamespaces(): Promise<string[]> {
  const out = await runOk(systemTools().ip, ["netns", "list"], "netns list");
  return out
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter(Boolean);
}

/** The pids of the processes in namespace `ns`. */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await runOk(systemTools().ip, ["netns", "pids", ns], `netns ${ns}`);
  return out.split("\n").filter(Boolean).map(Number);
}

/** Makes the bridge inside the (already made) bridge namespace. */
export async function setUpBridge(bridgeNs: string): Promise<void> {
  const { ip } = systemTools();
  await runOk(ip, ["-n", bridgeNs, "link", "add", bridge, "type", "bridge"], `bridge ${bridgeNs}`);
  await runOk(ip, ["-n", bridgeNs, "link", "set", bridge, "up"], `bridge ${bridgeNs}`);
}

/**
 * Makes namespace `ns` as a machine with `address`/24 on its `eth0`, joined to
 * the bridge by a veth pair whose bridge end is `link`.
 */
export async function addMachine(bridgeNs: string, ns: string, link: string, address: string): Promise<void> {
  const { ip } = systemTools();
  const where = `network ${ns}`;
  await addNamespace(ns);
  await runOk(ip, ["-n", bridgeNs, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", ns], where);
  await runOk(ip, ["-n", bridgeNs, "link", "set", link, "master", bridge, "up"], where);
  await runOk(ip, ["-n", ns, "addr", "add", `${address}/24`, "dev", "eth0"], where);
  await runOk(ip, ["-n", ns, "link", "set", "eth0", "up"], where);
  await runOk(ip, ["-n", ns, "link", "set", "lo", "up"], where);
}

/** Takes the bridge end of a machine's link down (`cut`) or up (`restore`). */
export async function setLink(bridgeNs: string, link: string, state: "up" | "down"): Promise<void> {
  await runOk(systemTools().ip, ["-n", bridgeNs, "link", "set", link, state], `link ${link} in ${bridgeNs}`);
}
