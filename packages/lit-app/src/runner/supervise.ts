/**
 * Runs an app the way `lit run` and a directly run app file do: the app (its
 * flow, its server, its works' threads) in a thread of its own, and this
 * thread, which never runs the app's code, free to act whatever the app does.
 * On Ctrl-C, SIGTERM or the end of the lit process that started this one, it
 * asks the app to stop, and ends the process if the app has not stopped
 * {@link STOP_DEADLINE_MS} later (a flow stuck in `run()`, a work that ignores
 * stop). It reports a flow pass that does not return, and ends the processes
 * the app left behind.
 */
import process from "node:process";
import { fileURLToPath } from "node:url";
import { APP_THREAD_NAME, type AppThreadOptions } from "./app-thread-protocol.ts";
import { takeAppThread } from "./early-start.ts";
import { PassWatcher, passMarksBuffer, type RunningPass } from "./pass-marks.ts";
import { watchParent } from "./parent-watch.ts";
import { killDescendants } from "./process-tree.ts";
import { abandonStackProbes, appFrames, probeThreadStack } from "./stack-probe.ts";
import { WorkThreadSpawner } from "./work-threads.ts";

/** How long after Ctrl-C or SIGTERM an app that has not stopped is ended. Works get 1.5 s of it to clean up. */
export const STOP_DEADLINE_MS = 2200;
/** A flow pass running this long is reported, with where it is when the runtime can tell (Node). */
export const STUCK_PASS_MS = 5000;

const SIGNAL_EXIT: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const wait = (ms: number) => new Promise<undefined>((resolve) => setTimeout(resolve, ms));

/** Where the app's thread is: its innermost frames in the app's own files, or undefined when unknown. */
async function whereIsTheFlow(): Promise<string | undefined> {
  const stack = await probeThreadStack(APP_THREAD_NAME, 1500);
  if (!stack) return undefined;
  const frames = appFrames(stack).slice(0, 3);
  if (frames.length === 0) return undefined;
  return frames.map((frame) => frame.replace(`${process.cwd()}/`, "")).join(" ← ");
}

/**
 * Runs the app that the module `appModule` (a file URL) builds until it ends;
 * resolves with the exit code. The caller exits with it, which also ends a
 * thread that would not stop.
 * @param ready the app starts once it resolves (the thread loads meanwhile); when it rejects, nothing starts and
 *   superviseApp rejects with its error.
 */
export async function superviseApp(appModule: string, options: AppThreadOptions = {}, ready?: Promise<unknown>): Promise<number> {
  // Handled below, once the thread is started; meanwhile its failure must not count as unhandled.
  ready?.catch(() => undefined);
  const marks = passMarksBuffer();
  // While `ready` is pending (lit run: the app's file loads here too), the thread loads the app server.
  const thread = await takeAppThread(ready ? { server: options.server !== false && process.env.LIT_NO_SERVER !== "1" } : undefined);
  if (ready) {
    try {
      await ready;
    } catch (error) {
      await thread.end();
      throw error;
    }
  }
  const located = new Map<number, Promise<string | undefined>>();
  const locate = (pass: RunningPass) => {
    let where = located.get(pass.id);
    if (!where) located.set(pass.id, (where = whereIsTheFlow().catch(() => undefined)));
    return where;
  };
  let rootClass: string | undefined;
  const appFile = appModule.startsWith("file:") ? fileURLToPath(appModule).replace(`${process.cwd()}/`, "") : appModule;
  const describe = (pass: RunningPass, where: string | undefined) =>
    `the flow has been running one pass for ${seconds(pass.ms)}: root.run() ` +
    `(${rootClass ? `${rootClass}, ` : ""}app ${appFile}) has not returned` +
    (where ? `; it is at ${where}` : "");
  const watcher = new PassWatcher(marks, {
    stuckAfterMs: STUCK_PASS_MS,
    onStuck: (pass) =>
      void locate(pass).then((where) => {
        if (finished) return;
        process.stderr.write(
          `[lit-app] ${describe(pass, where)}. A flow's run() runs again on every change and must return quickly: ` +
            `move long or blocking code into a LightningWork.\n`,
        );
      }),
  });

  let finished = false;
  let stopping = false;
  let deadline: ReturnType<typeof setTimeout> | undefined;
  const handlers = (["SIGINT", "SIGTERM"] as const).map((signal) => {
    const handler = () => stop(`stopped by ${signal}`, SIGNAL_EXIT[signal]);
    process.on(signal, handler);
    return { signal, handler };
  });
  const unwatchParent = watchParent(() => stop("the lit command that started this app ended", 1));

  let resolve!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolve = r));

  function finish(code: number): void {
    if (finished) return;
    finished = true;
    clearTimeout(deadline);
    watcher.close();
    unwatchParent();
    for (const { signal, handler } of handlers) process.off(signal, handler);
    // A probe still reading the app thread's stack holds it paused: the process could not end.
    abandonStackProbes();
    killDescendants();
    resolve(code);
  }

  function stop(reason: string, code: number): void {
    if (stopping || finished) return;
    stopping = true;
    thread.post({ type: "stop", reason });
    // A flow busy in a pass may not return: find out where now, while the app still has time to stop.
    const pass = watcher.current();
    if (pass && pass.ms > 200) void locate(pass);
    deadline = setTimeout(() => void force(reason, code), STOP_DEADLINE_MS);
  }

  async function force(reason: string, code: number): Promise<void> {
    const pass = watcher.current();
    const where = pass ? await Promise.race([locate(pass), wait(200)]) : undefined;
    if (finished) return;
    const why = pass ? describe(pass, where) : "its works or its server did not finish";
    process.stderr.write(`[lit-app] the app did not stop within ${seconds(STOP_DEADLINE_MS)} (${reason}): ${why}. Ended it.\n`);
    finish(code);
  }

  const workThreads = new WorkThreadSpawner((message) => thread.post(message));
  thread.onMessage((message) => {
    if (workThreads.handle(message)) return;
    if (message.type === "loaded") return void (rootClass = message.rootClass);
    if (message.type !== "done") return;
    void Promise.race([thread.end(), wait(1000)]).then(() => finish(message.exitCode));
  });
  thread.onFailure((reason) => {
    if (finished) return;
    process.stderr.write(`[lit-app] the app's thread failed: ${reason}\n`);
    finish(1);
  });
  // The app's thread cannot tell whether this process's output is a terminal.
  thread.post({ type: "start", appModule, options: { color: Boolean(process.stdout.isTTY), ...options }, marks });
  return exited;
}
