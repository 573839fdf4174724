import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectHost } from "./connect-host.ts";
import type { ExecResult, SshHost } from "./ssh-host.ts";
import { uploadOver } from "./upload.ts";
import { type SshFixture, sshFixture } from "./test-support/fixture.ts";

let f: SshFixture;
let host: SshHost;
let remoteDir: string;

beforeAll(async () => {
  f = await sshFixture();
  const t0 = performance.now();
  host = await connectHost("box", { env: f.env });
  console.log(`connect (loopback sshd, ed25519 key): ${(performance.now() - t0).toFixed(1)} ms`);
  remoteDir = mkdtempSync(join(tmpdir(), "lit-ssh-remote-"));
});
afterAll(async () => {
  await host?.close();
  await f?.close();
  rmSync(remoteDir, { recursive: true, force: true });
});

describe("SshHost", () => {
  it("runs a command and returns its status, stdout and stderr; stdin reaches it", async () => {
    const r = await host.exec("echo out; echo err >&2; exit 3");
    expect(r).toMatchObject({ code: 3, stdout: "out\n", stderr: "err\n", truncated: false });
    expect((await host.exec("tr a-z A-Z", { stdin: "hello" })).stdout).toBe("HELLO");
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await host.exec("true");
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    console.log(`exec round trip (true), median of 20: ${times[10]!.toFixed(2)} ms`);
  });

  it("bounds the output it keeps", async () => {
    const r = await host.exec("head -c 300000 /dev/zero", { maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
    expect(r.code).toBe(0);
  });

  it("uploads bytes, text and streams whole with the given mode, replacing the old file", async () => {
    const bytes = randomBytes(3 << 20);
    const path = join(remoteDir, "sub/dir/blob.bin");
    await host.upload(path, bytes, { mode: 0o755 });
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o755);
    await host.upload(path, "replaced");
    expect(readFileSync(path, "utf8")).toBe("replaced");
    expect(statSync(path).mode & 0o777).toBe(0o644);
    const parts = [randomBytes(100_000), randomBytes(5), randomBytes(70_000)];
    await host.upload(join(remoteDir, "streamed"), Readable.from(parts));
    expect(readFileSync(join(remoteDir, "streamed")).equals(Buffer.concat(parts))).toBe(true);
    // No temp file is left beside them.
    expect((await host.exec(`ls -A ${remoteDir}/sub/dir`)).stdout).toBe("blob.bin\n");
  });

  it("finishes an upload whose rename comes back without an exit status, whether or not the rename ran", async () => {
    // sshd may close a channel without the optional exit status: a host whose
    // rename reports nothing (after running it, or before) still ends whole.
    const lossy = (runIt: boolean): SshHost => {
      let dropped = false;
      return new Proxy(host, {
        get(target, key) {
          if (key === "exec")
            return async (command: string): Promise<ExecResult> => {
              if (!dropped && command.includes("mv -f")) {
                dropped = true;
                if (runIt) await target.exec(command);
                return { code: null, signal: undefined, stdout: "", stderr: "", truncated: false };
              }
              return target.exec(command);
            };
          const value = Reflect.get(target, key, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
    for (const runIt of [true, false]) {
      const path = join(remoteDir, `lossy-${runIt}`);
      const bytes = randomBytes(50_000);
      await expect(uploadOver(lossy(runIt), path, bytes, {})).resolves.toEqual({ bytes: bytes.length });
      expect(readFileSync(path).equals(bytes)).toBe(true);
    }
    expect((await host.exec(`ls -A ${remoteDir} | grep -c tmp || true`)).stdout.trim()).toBe("0");
  });

  it("commits nothing when the stream fails midway", async () => {
    const path = join(remoteDir, "half");
    async function* failing() {
      yield randomBytes(1000);
      throw new Error("source broke");
    }
    await expect(host.upload(path, failing())).rejects.toThrow("source broke");
    expect((await host.exec(`ls -A ${remoteDir} | grep -c half || true`)).stdout.trim()).toBe("0");
  });

  it("measures upload throughput", async () => {
    const bytes = randomBytes(64 << 20);
    const path = join(remoteDir, "big");
    const t = performance.now();
    await host.upload(path, bytes);
    const s = (performance.now() - t) / 1000;
    console.log(`upload 64 MiB over loopback: ${(64 / s).toFixed(0)} MiB/s`);
    expect(statSync(path).size).toBe(64 << 20);
  });

  it("forwards a stream to a port on the host's loopback, and listenLocal carries many connections", async () => {
    const echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const port = (echo.address() as { port: number }).port;
    try {
      const stream = await host.forward(port);
      stream.write("ping");
      const [reply] = (await new Promise<Buffer[]>((r) => stream.once("data", (d: Buffer) => r([d])))) as Buffer[];
      expect(reply!.toString()).toBe("ping");
      stream.end();

      const listener = await host.listenLocal(port);
      const roundTrip = (text: string) =>
        new Promise<string>((resolve, reject) => {
          const c = connect({ host: "127.0.0.1", port: listener.port });
          c.on("error", reject);
          c.once("data", (d) => {
            resolve(d.toString());
            c.end();
          });
          c.write(text);
        });
      expect(await Promise.all(["a", "b", "c"].map(roundTrip))).toEqual(["a", "b", "c"]);
      const times: number[] = [];
      const c = connect({ host: "127.0.0.1", port: listener.port });
      await new Promise((r) => c.once("connect", r));
      const msg = Buffer.alloc(200, 120);
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        c.write(msg);
        let got = 0;
        await new Promise<void>((r) => {
          const on = (d: Buffer) => {
            got += d.length;
            if (got >= 200) {
              c.off("data", on);
              r();
            }
          };
          c.on("data", on);
        });
        times.push(performance.now() - t);
      }
      c.destroy();
      times.sort((a, b) => a - b);
      console.log(`200-byte echo through listenLocal, median of 200: ${(times[100]! * 1000).toFixed(0)} µs`);
      await listener.close();
      await expect(roundTrip("x")).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      echo.close();
    }
  });

  it("says which port when nothing listens there", async () => {
    await expect(host.forward(1)).rejects.toMatchObject({ code: "E_SSH_FORWARD", message: expect.stringContaining("127.0.0.1:1") });
  });

  it("resolves closed and refuses further work when the connection drops", async () => {
    const other = await connectHost("box", { env: f.env });
    // Kill the server side of this one session.
    void other.exec("kill -9 $PPID").catch(() => {});
    const info = await other.closed;
    expect(other.isClosed).toBe(true);
    expect(info).toBeDefined();
    await expect(other.exec("true")).rejects.toMatchObject({ code: "E_SSH_CLOSED" });
    // The first connection is untouched.
    expect((await host.exec("echo still")).stdout).toBe("still\n");
  });
});
