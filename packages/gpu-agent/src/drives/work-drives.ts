/**
 * The Drive port of a work's process on a host: each operation is posted to
 * the agent (`POST /v1/drives/request`, on 127.0.0.1 with the agent's token,
 * both read from the agent's files at each request, so that a restarted agent
 * is found), which hands it to the app's Drive authority. A failure comes
 * back as the error class the authority threw (DriveConflictError, ...). An
 * app with no authority (no controller takes its requests) keeps its Drives
 * in the work's storage folder on this host, as a work on one machine does.
 */
import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DriveConflictError, DriveError, DriveNotFoundError, DriveOwnershipError, PayloadError } from "@lit-app/core";
import type { DrivePort, DriveWhere } from "@lit-app/local-workers/drive-authority";
import { readLocalAgent } from "../local-agent.ts";
import type { DriveFailure, DriveOperation } from "./drive-messages.ts";

/** The error a failure names, rebuilt (its message as the authority wrote it, for `work`). */
export function driveErrorOf(failure: DriveFailure, work: string): Error {
  const { code, drive, path, owner } = failure;
  if (code === "E_DRIVE_CONFLICT" && drive && path && owner) return new DriveConflictError(drive, path, owner, work);
  if (code === "E_DRIVE_OWNER" && drive && path && owner) return new DriveOwnershipError(drive, path, owner, work);
  if (code === "E_DRIVE_NOT_FOUND" && drive && path !== undefined) return new DriveNotFoundError(drive, path, failure.message);
  if (code === "E_PAYLOAD") return new PayloadError(failure.message);
  if (code === "E_DRIVE" || code?.startsWith("E_DRIVE_")) return Object.assign(new DriveError(failure.message), code === "E_DRIVE" ? {} : { code });
  return Object.assign(new Error(failure.message), { name: failure.name, ...(code ? { code } : {}) });
}

/**
 * The agent's Drive port for a work whose storage folder is `where.storageDir`
 * (`<lit home>/storage/apps/<name>`), or undefined when it is not an agent's
 * (the work keeps its Drives in that folder, as on one machine).
 */
export function agentDrives(where: DriveWhere): DrivePort | undefined {
  const dir = where.storageDir;
  if (!dir || basename(dirname(dir)) !== "apps" || basename(dirname(dirname(dir))) !== "storage") return undefined;
  const home = dirname(dirname(dirname(dir)));
  if (!existsSync(join(home, "agent", "agent.json"))) return undefined;
  const app = `apps/${basename(dir)}`;
  /** The outcome's names, or "local" when the app has no authority (the work's side does it). */
  const send = async (operation: DriveOperation): Promise<string[] | undefined | "local"> => {
    const who = operation.work ?? "a work";
    const { driveOutcome } = await import("./drive-messages.ts");
    let port: number;
    let token: string;
    try {
      ({ port, token } = readLocalAgent(home));
    } catch (error) {
      throw new DriveError(`${who} could not reach the agent for the Drive lit://${operation.drive.id}: its files in ${join(home, "agent")} cannot be read (${(error as Error).message}).`);
    }
    let body: unknown;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v1/drives/request`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ app, operation }),
      });
      body = await response.json();
      if (!response.ok) {
        const error = (body as { error?: { code?: string; message?: string } }).error;
        throw new DriveError(`${who}: the agent refused a request on the Drive lit://${operation.drive.id}: ${error?.message ?? response.status} (${error?.code ?? "no code"}).`);
      }
    } catch (error) {
      if (error instanceof DriveError) throw error;
      throw new DriveError(`${who} could not reach the agent on 127.0.0.1:${port} for the Drive lit://${operation.drive.id}: ${(error as Error).message}.`);
    }
    const parsed = driveOutcome.safeParse(body);
    if (!parsed.success) throw new DriveError(`${who}: the agent answered a request on the Drive lit://${operation.drive.id} with something unexpected (${parsed.error.issues[0]?.message}).`);
    if (!parsed.data.ok) {
      if (parsed.data.error.code === "E_DRIVE_LOCAL") return "local";
      throw driveErrorOf(parsed.data.error, who);
    }
    return parsed.data.names;
  };
  const spec = (d: { id: string; allowDuplicates: boolean }) => ({ id: d.id, allowDuplicates: d.allowDuplicates });
  return {
    drivePut: async (drive, work, path) => {
      if ((await send({ op: "put", drive: spec(drive), work, path })) === "local") await where.local().drivePut(drive, work, path);
    },
    driveGet: async (drive, work, path, from) => {
      if ((await send({ op: "get", drive: spec(drive), work, path, ...(from === undefined ? {} : { from }) })) === "local") await where.local().driveGet(drive, work, path, from);
    },
    driveList: async (drive, prefix, from) => {
      const names = await send({ op: "list", drive: spec(drive), prefix, ...(from === undefined ? {} : { from }) });
      return names === "local" ? where.local().driveList(drive, prefix, from) : (names ?? []);
    },
    driveDelete: async (drive, work, path) => {
      if ((await send({ op: "delete", drive: spec(drive), work, path })) === "local") await where.local().driveDelete(drive, work, path);
    },
  };
}
