/**
 * The test hosts for humans and benchmarks:
 *
 *   node --import tsx packages/test-hosts/src/cli.ts up [name[:runtime[:port]] ...]
 *   node --import tsx packages/test-hosts/src/cli.ts status
 *   node --import tsx packages/test-hosts/src/cli.ts down [id ...]
 *   node --import tsx packages/test-hosts/src/cli.ts clean
 *   node --import tsx packages/test-hosts/src/cli.ts measure [--rounds n]
 *
 * `up` keeps the hosts after it exits (default: gpu-box and cpu-box on node)
 * and prints how to use them; `down` removes the given instances, or all;
 * `clean` removes only the leftovers of killed runs; `measure` prints the
 * harness's own figures.
 */
import { parseArgs } from "node:util";
import { measureEcho, measureUpDown } from "./measure.ts";
import { instanceNames, recordDir, slotOf, defaultBaseDir } from "./naming.ts";
import { listNamespaces } from "./network.ts";
import { ownerAlive, readRecord } from "./record.ts";
import type { HostRuntime } from "./runtimes.ts";
import { whyNoTestHosts } from "./system.ts";
import { cleanupStaleTestHosts, removeAllTestHosts, teardownInstance } from "./teardown.ts";
import { startTestHosts, type HostSpec } from "./test-hosts.ts";
import { listUsers } from "./users.ts";

const usage = "usage: cli.ts up [name[:runtime[:port]] ...] | status | down [id ...] | clean | measure [--rounds n]";

function parseHost(arg: string): HostSpec {
  const [name = "", runtime, port] = arg.split(":");
  return { name, ...(runtime ? { runtime: runtime as HostRuntime } : {}), ...(port ? { port: Number(port) } : {}) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { rounds: { type: "string", default: "5" } } });
  const [command, ...rest] = positionals;
  const why = whyNoTestHosts();
  if (why !== undefined) {
    console.error(`test hosts are not available here: ${why}`);
    return 1;
  }
  switch (command) {
    case "up": {
      const specs = rest.length > 0 ? rest.map(parseHost) : [{ name: "gpu-box" }, { name: "cpu-box" }];
      const th = await startTestHosts({ hosts: specs, persistent: true });
      const env = `HOME=${th.laptop.home} PATH=${th.laptop.binDir}:$PATH`;
      console.log(`${th.id} is up (${th.subnet}); remove it with: node --import tsx packages/test-hosts/src/cli.ts down ${th.id}`);
      console.log(`laptop: namespace ${th.laptop.namespace}, ${th.laptop.address}, home ${th.laptop.home}`);
      for (const h of th.hosts) console.log(`${h.name}: ${h.user}@${h.address}:${h.port}, runtime ${h.runtime}, home ${h.home}, namespace ${h.namespace}`);
      console.log(`a shell on the laptop:  ip netns exec ${th.laptop.namespace} env ${env} bash`);
      console.log(`then:                   ssh ${th.hosts[0]?.name ?? "<host>"} uname -a`);
      return 0;
    }
    case "status": {
      const namespaces = await listNamespaces();
      const users = listUsers();
      const slots = [...new Set(namespaces.map(slotOf).filter((s): s is number => s !== undefined))].sort((a, b) => a - b);
      if (slots.length === 0) console.log("no test hosts");
      for (const slot of slots) {
        const names = instanceNames(slot, defaultBaseDir);
        const record = readRecord(names.record);
        const owner = !record ? "no record" : record.pid === undefined ? "kept up by `up`" : ownerAlive(record) ? `owned by pid ${record.pid}` : `stale (pid ${record.pid} is gone)`;
        const hosts = users.filter((u) => u.name.startsWith(`${names.id}-`)).map((u) => u.name.slice(names.id.length + 1));
        console.log(`${names.id}: ${owner}; hosts ${hosts.join(", ") || "none"}; ${record?.dir ?? ""}`);
      }
      return 0;
    }
    case "down": {
      if (rest.length === 0) {
        const removed = await removeAllTestHosts();
        console.log(removed.length > 0 ? `removed ${removed.join(", ")}` : "no test hosts");
        return 0;
      }
      for (const id of rest) {
        const slot = slotOf(`${id}-`);
        if (slot === undefined) {
          console.error(`${JSON.stringify(id)} is not a test-hosts id (litth<N>); see \`cli.ts status\``);
          return 1;
        }
        await teardownInstance(slot);
        console.log(`removed ${id}`);
      }
      return 0;
    }
    case "clean": {
      const removed = await cleanupStaleTestHosts();
      console.log(removed.length > 0 ? `removed ${removed.join(", ")}` : `nothing stale (records in ${recordDir})`);
      return 0;
    }
    case "measure": {
      const rounds = Number(values.rounds);
      const { up, down } = await measureUpDown(rounds);
      console.log(`2 hosts: up ${median(up).toFixed(0)} ms, down ${median(down).toFixed(0)} ms (median of ${rounds}; up ${up.map((v) => v.toFixed(0)).join(" ")}, down ${down.map((v) => v.toFixed(0)).join(" ")})`);
      const th = await startTestHosts({ hosts: ["gpu-box"] });
      try {
        const { forward, bareTcp } = await measureEcho(th, "gpu-box");
        console.log(`200-byte echo, laptop → gpu-box, 2000 round trips:`);
        console.log(`  through an OpenSSH -L forward: median ${forward.medianUs} µs, p90 ${forward.p90Us} µs, p99 ${forward.p99Us} µs`);
        console.log(`  bare TCP between namespaces:   median ${bareTcp.medianUs} µs, p90 ${bareTcp.p90Us} µs, p99 ${bareTcp.p99Us} µs`);
      } finally {
        await th.close();
      }
      return 0;
    }
    default:
      console.error(usage);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
