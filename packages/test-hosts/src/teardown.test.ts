import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, expect, it } from "vitest";
import { recordDir, slotOf } from "./naming.ts";
import { teardownInstance } from "./teardown.ts";
import { listNamespaces } from "./network.ts";
import { isAlive, killPids } from "./processes.ts";
import { whyNoTestHosts } from "./system.ts";
import { cleanupStaleTestHosts, startTestHosts } from "./index.ts";
import { listUsers } from "./users.ts";

const why = whyNoTestHosts();
if (why !== undefined && process.env.CI) throw new Error(why);

/** What is left on this machine of instance `id`. */
async function leftovers(id: string, dir: string, pids: readonly (number | undefined)[]) {
  return {
    namespaces: (await listNamespaces()).filter((ns) => ns.startsWith(`${id}-`)),
    users: listUsers()
      .filter((u) => u.name.startsWith(`${id}-`))
      .map((u) => u.name),
    processes: pids.filter((pid): pid is number => pid !== undefined && isAlive(pid)),
    dir: existsSync(dir),
    mounts: readFileSync("/proc/self/mounts", "utf8").split("\n").filter((line) => line.includes(`${dir}/`)).length,
    record: existsSync(join(recordDir, `${id}.json`)),
  };
}

const nothing = { namespaces: [], users: [], processes: [], dir: false, mounts: 0, record: false };

describe.skipIf(why !== undefined)("teardown", () => {
  it("close() leaves no namespace, user, process or file", async () => {
    const th = await startTestHosts({ hosts: ["gpu-box", { name: "cpu-box", runtime: "bun", homeSize: "4m" }] });
    const sleeper = th.host("cpu-box").spawn("exec sleep 600");
    const laptopSleeper = th.laptop.spawn("sleep", ["600"]);
    const pids = [...th.hosts.map((h) => h.sshdPid), sleeper.pid, laptopSleeper.pid];
    const before = await leftovers(th.id, th.dir, pids);
    expect(before.namespaces.sort()).toEqual([`${th.id}-br`, `${th.id}-h-cpu-box`, `${th.id}-h-gpu-box`, `${th.id}-laptop`]);
    expect(before.users.sort()).toEqual([`${th.id}-cpu-box`, `${th.id}-gpu-box`]);
    expect(before.processes).toHaveLength(4);
    expect(before.dir && before.record).toBe(true);
    expect(before.mounts).toBe(1);

    await th.close();
    expect(await leftovers(th.id, th.dir, pids)).toEqual(nothing);
    expect(th.closed).toBe(true);
    await expect(th.host("gpu-box").cut()).rejects.toMatchObject({ code: "E_CLOSED" });
    await th.close(); // again: no error
  });

  it("cleanupStaleTestHosts() removes what a killed run left, and leaves live instances alone", async () => {
    const live = await startTestHosts({ hosts: ["live-box"] });
    try {
      const holder = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../test/fixtures/hold-hosts.ts")], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: holder.stdout }).once("line", resolve);
        holder.once("exit", (code) => reject(new Error(`hold-hosts exited with ${code}`)));
      });
      const held = JSON.parse(line) as { id: string; dir: string; sshdPids: number[]; sleeper: number };
      const pids = [...held.sshdPids, held.sleeper];
      holder.kill("SIGKILL");
      await new Promise((resolve) => holder.once("exit", resolve));

      const orphaned = await leftovers(held.id, held.dir, pids);
      expect(orphaned.namespaces).toHaveLength(4);
      expect(orphaned.users).toHaveLength(2);
      expect(orphaned.processes).toHaveLength(3);
      expect(orphaned.mounts).toBe(1);

      expect(await cleanupStaleTestHosts()).toContain(held.id);
      expect(await leftovers(held.id, held.dir, pids)).toEqual(nothing);
      expect((await live.laptop.exec("ssh", ["live-box", "echo still here"])).stdout).toBe("still here\n");
    } finally {
      await live.close();
    }
  });

  it("cleanupStaleTestHosts() removes users and folders left without namespaces, as after a reboot", async () => {
    const th = await startTestHosts({ hosts: ["gpu-box", { name: "cpu-box", homeSize: "4m" }] });
    const pids = th.hosts.map((h) => h.sshdPid);
    // What a reboot leaves: no process, no namespace (/run is a tmpfs), but the users, homes and folders.
    killPids(pids.filter((pid): pid is number => pid !== undefined));
    for (const ns of await listNamespaces()) if (ns.startsWith(`${th.id}-`)) execFileSync("ip", ["netns", "del", ns]);
    rmSync(join(recordDir, `${th.id}.json`));
    const left = await leftovers(th.id, th.dir, pids);
    expect(left).toMatchObject({ namespaces: [], processes: [], dir: true, mounts: 1 });
    expect(left.users).toHaveLength(2);

    expect(await cleanupStaleTestHosts()).toContain(th.id);
    expect(await leftovers(th.id, th.dir, pids)).toEqual(nothing);
  });

  it("close() after the instance was removed from outside leaves a later instance in the same slot alone", async () => {
    const first = await startTestHosts({ hosts: ["gpu-box"] });
    await teardownInstance(slotOf(`${first.id}-`)!); // what the CLI's `down` does
    const second = await startTestHosts({ hosts: ["gpu-box"] });
    try {
      expect(second.id).toBe(first.id); // the slot search starts at the same place for one process
      await first.close();
      expect((await second.laptop.exec("ssh", ["gpu-box", "echo still here"])).stdout).toBe("still here\n");
    } finally {
      await second.close();
    }
  });
});
