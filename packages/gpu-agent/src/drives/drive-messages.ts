/**
 * Drive requests between a work on this host and the app's Drive authority
 * (the machine its flow runs on): a work's process posts a request to its
 * agent, the controller takes the app's pending requests from the agent
 * (long poll) and posts each reply back. Both ends validate with these schemas.
 */
import { z } from "zod";

/** The longest a Drive path or prefix may be, characters. */
export const MAX_DRIVE_PATH = 4096;
/** The most requests one poll returns. */
export const MAX_POLL_BATCH = 100;
/** The largest reply (a list of names), bytes. */
export const MAX_REPLY_BYTES = 16 * 2 ** 20;

/** An app's folder in the agent's storage root, as the controller and the works name it: `apps/<name>`. */
export const APP_DIR = /^apps\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$/;

const text = (max: number) => z.string().max(max);
const drive = z.object({ id: z.string().min(1).max(500), allowDuplicates: z.boolean() });
const work = z.string().min(1).max(500);
const path = text(MAX_DRIVE_PATH);

/** One Drive operation of a work, as the StoragePort's drive* methods take it. */
export const driveOperation = z.discriminatedUnion("op", [
  z.object({ op: z.literal("put"), drive, work, path: path.min(1) }),
  z.object({ op: z.literal("get"), drive, work, path: path.min(1), from: z.optional(work) }),
  z.object({ op: z.literal("list"), drive, work: z.optional(work), prefix: path, from: z.optional(work) }),
  z.object({ op: z.literal("delete"), drive, work, path: path.min(1) }),
]);

/** Work → agent: `POST /v1/drives/request`. */
export const driveRequest = z.object({ app: z.string().regex(APP_DIR), operation: driveOperation });

/** Agent → controller: `GET /v1/drives/next?app=apps/<name>`. */
export const drivePoll = z.object({ requests: z.array(z.object({ id: z.string().regex(/^[0-9a-f]{32}$/), operation: driveOperation })).max(MAX_POLL_BATCH) });

/** How a failed operation crosses: its error's code, message and the fields its class has. */
export const driveFailure = z.object({
  name: text(200),
  code: z.optional(text(200)),
  message: text(20_000),
  drive: z.optional(text(600)),
  path: z.optional(path),
  owner: z.optional(work),
});

/** An operation's outcome: the names of a list, nothing for the others, or its failure. */
export const driveOutcome = z.union([
  z.object({ ok: z.literal(true), names: z.optional(z.array(path).max(1_000_000)) }),
  z.object({ ok: z.literal(false), error: driveFailure }),
]);

/** Controller → agent: `POST /v1/drives/reply`. */
export const driveReply = z.object({ id: z.string().regex(/^[0-9a-f]{32}$/), outcome: driveOutcome });

export type DriveOperation = z.infer<typeof driveOperation>;
export type DriveOutcome = z.infer<typeof driveOutcome>;
export type DriveFailure = z.infer<typeof driveFailure>;
