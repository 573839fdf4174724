/**
 * Where a busy thread is, asked from the thread that started it: on Node,
 * through the inspector (pause it for a moment, read its stack, resume). Bun
 * and Deno offer no way to read another thread's stack: there the answer is
 * undefined.
 */
import { fileURLToPath } from "node:url";
import { runtimeKind } from "@lit-app/runtime";

type Post = (method: string, params?: object) => Promise<Record<string, unknown>>;

interface InspectorSession {
  connect(): void;
  disconnect(): void;
  post(method: string, params: object, callback: (error: Error | null, result?: Record<string, unknown>) => void): void;
  on(event: string, listener: (message: { params: Record<string, unknown> }) => void): void;
}

/**
 * The stack of the worker thread named `threadName` (a direct worker of this
 * thread), as `new Error().stack` there would print it (source maps applied
 * where that thread has them on); undefined where the runtime cannot tell, or
 * after `timeoutMs`.
 */
export async function probeThreadStack(threadName: string, timeoutMs: number): Promise<string | undefined> {
  if (runtimeKind() !== "node") return undefined;
  const { Session } = (await import("node:inspector")) as unknown as { Session: new () => InspectorSession };
  const session = new Session();
  session.connect();
  probing.add(session);
  let expire = () => undefined as void;
  const expired = new Promise<undefined>((resolve) => (expire = () => resolve(undefined)));
  const timer = setTimeout(expire, timeoutMs);
  try {
    return await Promise.race([readStack(session, threadName), expired]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    // Disconnecting detaches from the thread, which drops its debugger and lets it run on.
    if (probing.delete(session)) session.disconnect();
  }
}

/** Sessions of probes still reading a stack: their thread may be paused in its debugger. */
const probing = new Set<InspectorSession>();

/**
 * Ends the probes still running at once, so that no thread stays paused in its
 * debugger: a process that exits while one of its threads is paused there
 * waits for that thread forever. Call it before ending the process.
 */
export function abandonStackProbes(): void {
  for (const session of probing) session.disconnect();
  probing.clear();
}

async function readStack(session: InspectorSession, threadName: string): Promise<string | undefined> {
  const post: Post = (method, params = {}) =>
    new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result ?? {}))));
  const attached = new Promise<string>((resolve) => {
    session.on("NodeWorker.attachedToWorker", ({ params }) => {
      const info = params.workerInfo as { title?: string };
      if (info.title?.includes(threadName)) resolve(params.sessionId as string);
    });
  });
  let next = 0;
  const replies = new Map<number, (message: Record<string, unknown>) => void>();
  let onPaused: ((frames: { callFrameId: string }[]) => void) | undefined;
  session.on("NodeWorker.receivedMessageFromWorker", ({ params }) => {
    const message = JSON.parse(params.message as string) as { id?: number; method?: string; params?: { callFrames?: { callFrameId: string }[] } };
    if (message.id !== undefined) replies.get(message.id)?.(message as Record<string, unknown>);
    else if (message.method === "Debugger.paused") onPaused?.(message.params?.callFrames ?? []);
  });
  await post("NodeWorker.enable", { waitForDebuggerOnStart: false });
  const sessionId = await attached;
  const send = (method: string, params: object = {}) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++next;
      replies.set(id, resolve);
      void post("NodeWorker.sendMessageToWorker", { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  const paused = new Promise<{ callFrameId: string }[]>((resolve) => (onPaused = resolve));
  await send("Debugger.enable");
  await send("Debugger.pause");
  const frames = await paused;
  try {
    const top = frames[0];
    if (!top) return undefined;
    const reply = await send("Debugger.evaluateOnCallFrame", {
      callFrameId: top.callFrameId,
      expression: "new Error('here').stack",
      silent: true,
      returnByValue: true,
    });
    const value = (reply.result as { result?: { value?: unknown } } | undefined)?.result?.value;
    return typeof value === "string" ? value : undefined;
  } finally {
    await send("Debugger.resume");
    await send("Debugger.disable");
  }
}

/** The source folders of lit-app's packages (in its repository; in an app they are under node_modules). */
const FRAMEWORK = ["core", "local-workers", "storage", "server", "lit-app"].map((p) => fileURLToPath(new URL(`../../../${p}/src/`, import.meta.url)));

/** The frames of `stack` in the app's own files (not the framework's, the runtime's or node_modules'), innermost first. */
export function appFrames(stack: string, frameworkDirs: readonly string[] = FRAMEWORK): string[] {
  return stack
    .split("\n")
    .filter((line) => /^\s*at\s/.test(line))
    .map((line) => line.trim().replace(/^at\s+/, "").replace("file://", ""))
    .filter((frame) => !/^eval\b|\((?:node:|ext:|native|<anonymous>)|^(?:async\s+)?node:|\/node_modules\//.test(frame))
    .filter((frame) => !frameworkDirs.some((dir) => frame.includes(dir)));
}
