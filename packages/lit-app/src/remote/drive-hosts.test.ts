/**
 * Drives and Payloads between hosts under `lit run app.ts --host …`, end to
 * end on the test hosts: the app's Drive is kept where the flow runs (the
 * laptop), so a name claimed by a work on cpu-box is refused to a work on
 * gpu-box and to one on the laptop, a file put on one host is listed, got
 * and (by its owner) deleted from the others, and Payloads cross from host
 * to host, from a host to the laptop and back.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { useTestHosts } from "@lit-app/test-hosts/vitest";
import { litOnLaptop, type CliRuntime } from "../test-support/remote-run.ts";

const GPU = (n: number) => ({ uuid: `GPU-4b7a0c2e-000${n}-4d6f-9a51-a100000000a${n}`, name: "A100", memoryMiB: 81920 });
const th = useTestHosts({ hosts: [{ name: "cpu-box", runtime: "node" }, { name: "gpu-box", runtime: "bun", gpus: [GPU(3), GPU(4)] }] });
const fixture = (name: string) => fileURLToPath(new URL(`../../test/fixtures/remote/${name}/app.ts`, import.meta.url));
const app = fixture("drive-hosts");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function ended(run: ReturnType<typeof litOnLaptop>, ms = 120_000) {
  return Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`lit run did not end within ${ms} ms:\n${run.text()}`)), ms).unref()),
  ]);
}

describe.each<CliRuntime>(["node", "bun", "deno"])("Drives and Payloads between hosts, lit on %s", (runtime) => {
  it("keeps one Drive for works on cpu-box, gpu-box and here: claims hold across hosts, Payloads cross", async () => {
    const storage = mkdtempSync(join(tmpdir(), "lit-drive-hosts-"));
    dirs.push(storage);
    const run = litOnLaptop(th(), runtime, ["run", app, "--host", "cpu-medium=cpu-box", "--host", "gpu=gpu-box"], { LIT_STORAGE_DIR: storage });
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    const cpu = th().host("cpu-box").user;
    const gpu = th().host("gpu-box").user;
    expect(run.out(), run.text()).toEqual([
      "root.writer | put data/a.txt and claimed.txt",
      `root.reader | ${gpu} got the Payload of root.writer: ${cpu} 1,2,3`,
      "root.reader | list: claimed.txt data/a.txt",
      `root.reader | data/a.txt: a from ${cpu}`,
      `root.reader | put claimed.txt: E_DRIVE_CONFLICT: root.reader cannot put "claimed.txt" in the Drive lit://shared: root.writer already put it there. ` +
        `Put it under another name, delete it from root.writer first, or create the Drive with { allowDuplicates: true }.`,
      `root.reader | delete claimed.txt: E_DRIVE_OWNER: root.reader cannot delete "claimed.txt" from the Drive lit://shared: root.writer put it there, and a work deletes only its own files. ` +
        "Delete it from root.writer's run().",
      `root.checker | here: ${cpu} / a reply from ${gpu}`,
      "root.checker | here put claimed.txt: E_DRIVE_CONFLICT (owner root.writer)",
      `root.checker | here b.txt: b from ${gpu}`,
      "root.writer | deleted data/a.txt",
      "root.lister | after delete: b.txt claimed.txt",
      "root.lister | data/a.txt: E_DRIVE_NOT_FOUND",
      "root.lister | back: from here",
    ]);
    // Each Payload's bytes crossed once, through the storage engine: host to host, host to here, here to host.
    const said = run.lines.filter((l) => l.stream === "stderr").map((l) => l.text);
    for (const [work, origin, from, to] of [
      ["reader", "writer", "cpu-box", "gpu-box"],
      ["checker", "writer", "cpu-box", "this machine"],
      ["checker", "reader", "gpu-box", "this machine"],
      ["lister", "checker", "this machine", "gpu-box"],
    ]) {
      const line = new RegExp(`^root\\.${work} \\| \\[lit-app\\] a Payload \\([0-9a-f]{12}\\) of root\\.${origin} from ${from} to ${to}: 1 blob, \\d+ bytes sent$`);
      expect(said.filter((l) => line.test(l)), said.join("\n")).toHaveLength(1);
    }
    // The Drive is on the laptop, in the app's storage folder: each file under the work that put it.
    const drive = join(storage, "app", ".drives", "shared");
    const owners = readdirSync(drive).filter((n) => !n.startsWith(".")).sort();
    expect(owners).toEqual(["root.reader", "root.writer"]);
    expect(readFileSync(join(drive, "root.writer", "claimed.txt"), "utf8")).toBe(`claimed by ${cpu}\n`);
    expect(readdirSync(join(drive, "root.writer", "data"))).toEqual([]);
  }, 180_000);

  it("gives each name to one of two works putting it at the same moment from two hosts", async () => {
    const storage = mkdtempSync(join(tmpdir(), "lit-drive-race-"));
    dirs.push(storage);
    const run = litOnLaptop(th(), runtime, ["run", fixture("drive-race"), "--host", "cpu-medium=cpu-box", "--host", "gpu=gpu-box"], { LIT_STORAGE_DIR: storage });
    const exit = await ended(run);
    expect(exit.code, run.text()).toBe(0);
    const names = [1, 2, 3, 4, 5].map((i) => `race-${i}.txt`);
    const outcome = (work: string, name: string) => run.out().find((l) => l.startsWith(`root.${work} | ${name} `))?.slice(`root.${work} | ${name} `.length);
    const winners = names.map((name) => {
      const [left, right] = [outcome("left", name), outcome("right", name)];
      // Exactly one won; the other was told that one holds it.
      expect([left, right].sort(), run.text()).toEqual(left === "won" ? ["lost to root.left (E_DRIVE_CONFLICT)", "won"] : ["lost to root.right (E_DRIVE_CONFLICT)", "won"]);
      return left === "won" ? "root.left" : "root.right";
    });
    console.log(`${runtime}: the names went to ${winners.join(", ")}; put lines at ${run.lines.filter((l) => / (won|lost to)/.test(l.text)).map((l) => l.at.toFixed(0)).join(", ")} ms`);
    expect(run.out()).toContain(`root.checker | list: ${names.join(" ")}`);
    for (const [i, name] of names.entries()) expect(run.out()).toContain(`root.checker | ${name} by ${winners[i]}`);
  }, 180_000);
});
