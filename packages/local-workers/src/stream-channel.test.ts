/**
 * The work channel over a child process's stdio, on Bun, Node and Deno: the
 * same interface as a thread's port, in order, with 1 MB messages, a line
 * that is not JSON handed on as a string, and the end of the process seen.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { streamChannel } from "./stream-channel.ts";
import { until } from "./test-support/until.ts";

const FIXTURE = fileURLToPath(new URL("../test/fixtures/echo-channel.ts", import.meta.url));
const BIN = fileURLToPath(new URL("../../../node_modules/.bin/", import.meta.url));
const COMMANDS = {
  node: ["node", ["--import", "tsx", FIXTURE]],
  bun: [join(BIN, "bun"), ["run", FIXTURE]],
  deno: [join(BIN, "deno"), ["run", "-A", FIXTURE]],
} as const;

describe("streamChannel over a child process's stdio", () => {
  it.each(["bun", "node", "deno"] as const)("carries messages both ways on %s, in order, 1 MB ones too", async (runtime) => {
    const [cmd, args] = COMMANDS[runtime];
    const child = spawn(cmd, [...args], { stdio: ["pipe", "pipe", "inherit"] });
    let ended = false;
    const channel = streamChannel(child.stdout, (text) => void child.stdin.write(text), { onEnd: () => (ended = true) });
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    const big = "x".repeat(2 ** 20);
    channel.send({ type: "a", text: "ü ✓ \n inside" });
    channel.send({ type: "big", big });
    channel.send({ type: "garbage" });
    channel.send({ type: "c" });
    await until(() => received.length === 4, "four replies", 20_000);
    expect(received[0]).toEqual({ seq: 1, echo: { type: "a", text: "ü ✓ \n inside" } });
    expect(received[1]).toEqual({ seq: 2, echo: { type: "big", big } });
    expect(received[2]).toBe("this is not JSON");
    expect(received[3]).toEqual({ seq: 3, echo: { type: "c" } });
    channel.send({ type: "bye" });
    await until(() => ended, "the end of the child's output", 20_000);
    channel.close();
  }, 60_000);
});
