/**
 * The agent running on this machine, as its files say now (`agent/agent.json`
 * and `agent/token` under the lit home): for programs on the agent's own host
 * that reach it on 127.0.0.1 (a deployed flow, a work's Drive requests). Read
 * again at each connect, so a restarted agent (a new port) is found.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { z } from "zod";
import { AgentFilesError } from "./errors.ts";
import { agentPaths } from "./paths.ts";

/** Where the local agent listens (127.0.0.1) and the token it requires. */
export interface LocalAgent {
  port: number;
  token: string;
}

const MAX_FILE_BYTES = 64 * 1024;
const infoSchema = z.object({ port: z.number().int().min(1).max(65535) });
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

/** A small file's text; throws when it is larger than `max` bytes. */
function readSmall(file: string, max: number): string {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > max) throw new Error(`${file} is ${size} bytes, more than ${max}`);
    const buffer = Buffer.alloc(size);
    const read = readSync(fd, buffer, 0, size, 0);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * The agent of the lit home `home`: its port from `agent/agent.json` and its token, both checked.
 * @throws AgentFilesError when a file is missing, too large or not as the agent writes it
 */
export function readLocalAgent(home: string): LocalAgent {
  const paths = agentPaths(home);
  let port: number;
  let token: string;
  try {
    const info = infoSchema.safeParse(JSON.parse(readSmall(paths.info, MAX_FILE_BYTES)));
    if (!info.success) throw new Error(`${paths.info} has no valid port (${info.error.issues[0]?.message})`);
    port = info.data.port;
    token = readSmall(paths.token, MAX_FILE_BYTES).trim();
    if (!TOKEN.test(token)) throw new Error(`${paths.token} does not hold a token`);
  } catch (error) {
    throw new AgentFilesError(`[agent] the agent's files in ${paths.dir} cannot be read: ${(error as Error).message}. Is the agent running? (lit run --host or lit deploy starts it)`, { cause: error });
  }
  return { port, token };
}
