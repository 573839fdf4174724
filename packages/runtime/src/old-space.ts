/**
 * V8's starting limit for a heap's old generation, raised for the threads a
 * process starts next. A thread that relays a Path from one host to another
 * moves hundreds of MiB a second through SSH, and every SSH packet is a new
 * buffer. With V8's default starting limit, that thread ran a full
 * collection every 10 to 30 MiB (up to a hundred per GiB, a fifth of the
 * transfer's time), its old generation staying near 17 MiB with the limit
 * just above it. Started with 128 MiB of room, it runs none or one or two.
 */
import v8 from "node:v8";
import process from "node:process";
import { runtimeKind } from "./runtime-kind.ts";

/** The app thread's starting old-generation limit, in MiB (V8's own start is a few MiB). */
export const APP_THREAD_OLD_SPACE_MIB = 128;

const FLAG = "--initial-old-space-size";

/** Whether this process was started with its own starting limit (`node --initial-old-space-size=…`), which is then left alone. */
function chosenByUser(): boolean {
  return process.execArgv.some((arg) => arg.startsWith(FLAG) || arg.startsWith("--initial_old_space_size"));
}

/**
 * Makes the V8 heaps created from now on (worker threads; not this thread's,
 * which exists already) start with an old-generation limit of `mib`, and
 * returns the function that goes back to V8's default: call it once the
 * thread that needs the room is running (its `online` event), so that
 * threads started later are not given it too.
 *
 * Only on Node: Bun's heap is not V8's, and Deno takes V8 flags only when it
 * starts (`--v8-flags`). There, and when the process was started with its own
 * value, it changes nothing and returns a function that does nothing.
 */
export function raiseOldSpaceOfNextThreads(mib: number): () => void {
  if (runtimeKind() !== "node" || chosenByUser()) return () => undefined;
  if (!Number.isInteger(mib) || mib <= 0) throw new RangeError(`the old generation's starting limit must be a whole number of MiB above 0, not ${mib}`);
  v8.setFlagsFromString(`${FLAG}=${mib}`);
  let restored = false;
  return () => {
    if (restored) return;
    restored = true;
    v8.setFlagsFromString(`${FLAG}=0`);
  };
}

/** What {@link startThreadWithOldSpace} needs of a thread: Node's Worker events. */
export interface ThreadStarting {
  once(event: "online" | "exit", listener: () => void): unknown;
}

/**
 * Starts a thread with `create` (a Worker made there) whose heap starts with
 * an old-generation limit of `mib`; V8's default is back once it is online
 * (or ended), for the threads started after it. See
 * {@link raiseOldSpaceOfNextThreads} for where it changes nothing.
 */
export function startThreadWithOldSpace<T extends ThreadStarting>(create: () => T, mib: number = APP_THREAD_OLD_SPACE_MIB): T {
  const restore = raiseOldSpaceOfNextThreads(mib);
  let thread: T;
  try {
    thread = create();
  } catch (error) {
    restore();
    throw error;
  }
  thread.once("online", restore);
  thread.once("exit", restore);
  return thread;
}

/**
 * The arguments that give a process of this runtime started now the app
 * thread's starting limit: none off Node, or when this process was given its own.
 */
export function oldSpaceArgs(mib: number = APP_THREAD_OLD_SPACE_MIB): string[] {
  return runtimeKind() !== "node" || chosenByUser() ? [] : [`${FLAG}=${mib}`];
}
