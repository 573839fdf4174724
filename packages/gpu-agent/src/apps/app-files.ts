/**
 * A deployed app's folder on its flow host, `~/.lit/deployed/<name>/`
 * (mode 0700): what the agent needs to find and resume it after a restart.
 *
 * - `app.json`: the {@link DeployAppSpec} as deployed (holds the other agents' tokens: 0600).
 * - `state.json`: the agent's record (desired state, pid, restarts), written atomically.
 * - `flow.log`: the flow process's stdout and stderr, appended across restarts.
 * - `server.json`: written by the flow process once its app server listens (`{ pid, port }`).
 * - `result.json`: written by the flow process when the app ended (`{ stage, message }`).
 * - `journal/`: the flow's state journal (the flow's runner writes it).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomicSync } from "@lit-app/runtime";
import { deployAppSchema, type DeployAppSpec, type DeployedStage } from "./app-spec.ts";

/** The files of one deployed app. */
export interface AppFiles {
  dir: string;
  spec: string;
  state: string;
  log: string;
  server: string;
  result: string;
  journal: string;
}

/** The folder of every deployed app: `<home>/deployed`. */
export function deployedRoot(home: string): string {
  return join(home, "deployed");
}

/** The files of the app `name` under `home`. */
export function appFiles(home: string, name: string): AppFiles {
  return appFilesIn(join(deployedRoot(home), name));
}

/** The files of the deployed app whose folder is `dir` (as its flow process is told, `LIT_DEPLOYED_DIR`). */
export function appFilesIn(dir: string): AppFiles {
  return {
    dir,
    spec: join(dir, "app.json"),
    state: join(dir, "state.json"),
    log: join(dir, "flow.log"),
    server: join(dir, "server.json"),
    result: join(dir, "result.json"),
    journal: join(dir, "journal"),
  };
}

const stateSchema = z.object({
  desired: z.enum(["running", "stopped"]),
  stage: z.enum(["starting", "running", "restarting", "finished", "failed", "stopping", "stopped"]),
  pid: z.number().int().positive().nullable(),
  startTime: z.string().max(40).optional(),
  restarts: z.number().int().min(0),
  deployedAt: z.number(),
});

/** The agent's record of a deployed app. */
export type AppState = z.infer<typeof stateSchema> & { stage: DeployedStage };

const serverSchema = z.object({ pid: z.number().int().positive(), port: z.number().int().min(1).max(65535) });
const resultSchema = z.object({ stage: z.string().max(40), message: z.string().max(4096).optional() });

function readJson<T>(file: string, schema: z.ZodType<T>, maxBytes = 1024 * 1024): T | undefined {
  try {
    const text = readFileSync(file, "utf8");
    if (text.length > maxBytes) return undefined;
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The app's spec as deployed, or undefined when it is missing or not valid. */
export function readSpec(files: AppFiles): DeployAppSpec | undefined {
  return readJson(files.spec, deployAppSchema);
}

/** The agent's record, or undefined. */
export function readState(files: AppFiles): AppState | undefined {
  return readJson(files.state, stateSchema) as AppState | undefined;
}

/** Writes the agent's record, atomically. */
export function writeState(files: AppFiles, state: AppState): void {
  writeFileAtomicSync(files.state, `${JSON.stringify(state)}\n`, { mode: 0o600 });
}

/** Writes the spec, atomically, readable by this user only. */
export function writeSpec(files: AppFiles, spec: DeployAppSpec): void {
  writeFileAtomicSync(files.spec, `${JSON.stringify(spec)}\n`, { mode: 0o600 });
}

/** The app server's port, when the flow process `pid` wrote it. */
export function readServerPort(files: AppFiles, pid: number | null): number | null {
  const server = readJson(files.server, serverSchema, 4096);
  return server && server.pid === pid ? server.port : null;
}

/** How the app ended, as its flow process wrote it. */
export function readResult(files: AppFiles): { stage: string; message?: string } | undefined {
  return readJson(files.result, resultSchema, 16_384);
}
