/**
 * The controller's side of works on a host: a {@link WorkExecutor} whose
 * works run under the host's agent, reached over one WebSocket (the work
 * channel). Each work has a {@link WorkLink} (the same as threads and
 * processes use): its messages are parsed, duplicates and old incarnations
 * dropped, a gap resynced from a snapshot.
 *
 * When the link drops, the works go on on the host: the executor reports
 * `connection: lost`, reconnects with backoff, tells the agent the last seq
 * it applied per work (the agent replays the rest from the works' journals),
 * re-sends the calls not yet started (the work runs each call id once), and
 * reports `connection: restored`. Past `hostLostMs` without the link, the
 * works fail with reason `host lost`.
 *
 * Each work's `handle` event ({@link RemoteHandle}: its host, incarnation and
 * the seq of the last line it printed) lets a flow started again re-attach to
 * it ({@link RemoteExecutor.reattach}): the work keeps running under the agent
 * while no flow has it open.
 */
import {
  encodeState,
  newIncarnation,
  workCreation,
  type SerializedError,
  type WorkCall,
  type WorkEvent,
  type WorkExecutor,
  type WorkRef,
} from "@lit-app/core/internal";
import { classNotExported, WorkLink, type WorkChannel } from "@lit-app/local-workers";
import { workToFlow, type FlowToWork } from "@lit-app/local-workers/protocol";
import { MAX_MESSAGE_BYTES, type ControllerMessage } from "../channel/messages.ts";
import type { CarriedAppModules } from "../works/module-keys.ts";
import { classesInFiles, classesInModules, type ClassModules } from "./class-modules.ts";
import { parseAgentFrame } from "./agent-frame.ts";
import { parseRemoteHandle, type RemoteHandle } from "./remote-handle.ts";
import { openChannelSocket, type AgentEndpoint, type ChannelSocket } from "./channel-socket.ts";

/** Options of a {@link RemoteExecutor}. */
export interface RemoteExecutorOptions {
  /** The host's name, as the user gave it (`gpu-box`): in status messages. */
  host: string;
  /** Opens a way to the agent: its URL, and on Node a stream that carries it (an ssh2 forward). Called on every (re)connect. */
  connect(): Promise<AgentEndpoint>;
  /** The agent's bearer token. */
  token: string | (() => Promise<string>);
  /** The app's module as the host sees it (a file URL or path there). */
  appModule: string | URL;
  /**
   * The app's module here, where the classes of works created inside run()
   * are looked up among the app's files (and named by their path from the
   * app's folder, as the host's work program knows them). Default: `appModule`.
   */
  localAppModule?: string | URL;
  /**
   * The app's modules as this program carries them (a deployed flow's
   * program, built on another machine): where the classes of works created
   * inside run() are looked up instead of the app's files.
   */
  appModules?: CarriedAppModules;
  /** The folder of the works' storage roots on the host. */
  storageDir?: string;
  /**
   * The app's key on the host: its storage folder in the agent's storage root
   * (`apps/<name>`). The agent keeps this executor's works under it, apart
   * from another app's works of the same names; a flow started again names
   * the same key to re-attach. None: the works of no app (their bare names).
   */
  app?: string;
  /**
   * The program works' processes run: a file in the agent's program folder
   * (the app's bundle built with the work program). Default: the agent's own.
   */
  program?: string;
  /** How long the link may stay down before the works fail with reason `host lost`, ms. Default 600,000 (10 minutes). */
  hostLostMs?: number;
  /** How long a stopping work may take to run its cleanup before its process is ended, ms. Default 3000. */
  stopGraceMs?: number;
  /** How often a ping checks that the link is alive, ms; no answer within twice that and the link is reported down. Default 5000. */
  pingMs?: number;
  /**
   * How long a silent link is waited on before its socket is given up and a
   * new one made, ms. Default 60,000 (past the SSH connection's own
   * keepalive checks, which end a connection that stays cut). Until then the
   * socket is kept: a link that comes back carries on where it was, its lost
   * packets sent again by TCP, where a new socket through the same stalled
   * SSH connection would wait out TCP's retransmission backoff (seconds).
   */
  stalledMs?: number;
  /** How long one attempt to reach the agent (`connect` and the WebSocket's opening) may take, ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** Reconnect backoff: first and longest wait, ms. Default 100 and 5000. */
  backoff?: { initialMs: number; maxMs: number };
  /** The largest message taken from the agent, bytes. Default 64 MiB. */
  maxMessageBytes?: number;
}

interface Lane {
  name: string;
  incarnation: string;
  link: WorkLink;
  deliver?: (message: unknown) => void;
  init: Extract<FlowToWork, { type: "init" }>;
  compute: WorkRef["compute"];
  /** The agent confirmed the work's process is there. */
  opened: boolean;
  /** Its init is complete (the module of its class found, for a work created inside run()). */
  initComplete: boolean;
  ready: Promise<void>;
  isReady: boolean;
  /** Calls sent whose start has not been seen: re-sent after a reconnect. */
  unstarted: Map<string, Extract<FlowToWork, { type: "run" }>>;
  stopping: boolean;
  ended: boolean;
  /** While the work starts: resolves (`undefined`) or rejects its start. */
  settle?: (error: SerializedError | undefined) => void;
  /** The waiting reason last reported (reported once). */
  waitingSaid?: string;
  /** Called when the agent says the work's process is gone after a stop. */
  onClosed?: () => void;
  /** Re-attaching to a work an earlier flow started (see {@link RemoteExecutor.reattach}), until its snapshot comes. */
  reattaching?: Reattaching;
  /** The work's messages held while the engine takes a re-attached work's answer, the snapshot first. */
  held?: Record<string, unknown>[];
}

/** A lane being re-attached: what it waits for, and its messages held meanwhile. */
interface Reattaching {
  /** The seq of the last line the earlier flow printed: the lines after it are shown. */
  after: number;
  /** The calls the engine asks about. */
  calls: Set<string>;
  /** Resolves the reattach with the calls the work has. */
  resolve: (live: string[]) => void;
  /** The engine started the work meanwhile (a work started with its flow): a work found gone is started afresh. */
  startAgain?: WorkRef;
}

/** An Error rebuilt from what crossed the channel. */
function toError(described: SerializedError): Error {
  const error = new Error(described.message);
  error.name = described.name;
  if (described.stack) error.stack = described.stack;
  if (described.code) (error as { code?: string }).code = described.code;
  return error;
}

/** The channel's URL naming the app (`?app=apps/<name>`). */
function withApp(url: string, app: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("app", app);
  return parsed.href;
}

function toUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z]+:/i.test(module)) return module;
  return new URL(module, `file://${module.startsWith("/") ? "" : "/"}`).href;
}

/** A {@link WorkExecutor} that runs works under a host's agent. */
export class RemoteExecutor implements WorkExecutor {
  private emit: (event: WorkEvent) => void = () => {};
  private readonly options: RemoteExecutorOptions;
  private readonly appModule: string;
  private readonly classes: ClassModules;
  private readonly lanes = new Map<string, Lane>();
  /** Lanes being stopped, by name, until the agent confirms. */
  private readonly stoppingLanes = new Map<string, Lane>();
  private socket: ChannelSocket | undefined;
  private state: "idle" | "connecting" | "open" | "closed" = "idle";
  /** When the link went down (epoch ms); undefined while it is up or was never up. */
  private lostSince: number | undefined;
  /** The link was up once: a later loss is reported. */
  private everOpen = false;
  private lostReported = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastHeard = 0;
  private pingId = 0;
  /** The attempt to connect under way (a later one, or a timeout, makes an earlier one moot). */
  private attemptToken: object | undefined;

  constructor(options: RemoteExecutorOptions) {
    this.options = options;
    this.appModule = toUrl(options.appModule);
    this.classes = options.appModules ? classesInModules(options.appModules) : classesInFiles(toUrl(options.localAppModule ?? options.appModule));
  }

  bind(emit: (event: WorkEvent) => void): void {
    this.emit = emit;
    this.classes.prepare();
  }

  /** A work created inside run() is rebuilt on the host from its class: a module of the app must export it. */
  canRebuild(cls: Function): boolean | Promise<boolean> {
    return this.classes.canRebuild(cls);
  }

  start(work: WorkRef): Promise<void> {
    const existing = this.lanes.get(work.name);
    if (existing && !existing.stopping) {
      // Being re-attached: should the work turn out gone, it is started afresh (see ended).
      if (existing.reattaching) existing.reattaching.startAgain = work;
      return existing.ready;
    }
    const lane = this.newLane(work, newIncarnation());
    const { incarnation, init } = lane;
    // Created inside run(): rebuilt on the host from its class, which another module of the app may export.
    const creation = workCreation(work.work);
    lane.initComplete = !creation;
    lane.ready = new Promise<void>((resolve, reject) => {
      lane.settle = (error) => {
        lane.settle = undefined;
        if (error) {
          // Its class is exported nowhere: the failure points at the user's line that created the work.
          return reject(creation && error.name === "WorkClassError" ? classNotExported(work.name, work.className, creation) : toError(error));
        }
        resolve();
        if (lane.ended) return;
        lane.isReady = true;
        for (const run of lane.unstarted.values()) this.transmit({ type: "send", work: lane.name, incarnation, message: run });
      };
    });
    this.lanes.set(work.name, lane);
    this.ensureConnected();
    if (creation) {
      void this.classes.find(creation.cls).then((exported) => {
        if (exported) Object.assign(init, exported);
        lane.initComplete = true;
        if (this.state === "open" && !lane.ended) this.openLane(lane);
      });
    } else if (this.state === "open") this.openLane(lane);
    return lane.ready;
  }

  /** A lane for one incarnation of a work, with its WorkLink: not yet started, opened or ready. */
  private newLane(work: WorkRef, incarnation: string): Lane {
    const init: Lane["init"] = {
      type: "init",
      incarnation,
      appModule: this.appModule,
      name: work.name,
      className: work.className,
      constructorOptions: encodeState(work.constructorOptions),
      state: work.state(),
      ...(this.options.storageDir ? { storageDir: this.options.storageDir } : {}),
    };
    const lane = {
      name: work.name,
      incarnation,
      init,
      compute: work.compute,
      opened: false,
      initComplete: true,
      isReady: false,
      unstarted: new Map(),
      stopping: false,
      ended: false,
    } as unknown as Lane;
    const channel: WorkChannel = {
      send: (message) => this.sendFlow(lane, message as FlowToWork),
      onMessage: (listener) => (lane.deliver = listener),
      close: () => (lane.deliver = undefined),
    };
    lane.link = new WorkLink(work.name, incarnation, channel, workToFlow, {
      emit: (event) => {
        if (event.type === "started" || event.type === "succeeded" || event.type === "failed") lane.unstarted.delete(event.callId);
        this.emit(event);
        // A flow started again shows the lines after this one (see reattach).
        if (event.type === "log") this.emitHandle(lane);
      },
      initDone: (error) => {
        if (error) this.ended(lane, { type: "exited", work: lane.name, error });
        else lane.settle?.(undefined);
      },
      stopped: () => undefined,
      exiting: (exit) => {
        const error = exit.error ?? { name: "WorkerExit", message: `the work's process on ${this.options.host} ended with exit code ${exit.code ?? "unknown"}` };
        // The agent names a process that went over its memory limit (or that V8 said ran out of heap).
        this.ended(lane, { type: "exited", work: lane.name, error, ...(error.name === "WorkOutOfMemory" ? { reason: "out of memory" as const } : {}) });
      },
    });
    return lane;
  }

  /** Tells a flow started again where to find the work: its host, incarnation and last line shown. */
  private emitHandle(lane: Lane): void {
    const handle: RemoteHandle = { host: this.options.host, incarnation: lane.incarnation, seq: lane.link.order.lastSeq };
    this.emit({ type: "handle", work: lane.name, handle: { ...handle } });
  }

  /**
   * Asks the agent for a work being re-attached: the messages after the last line shown (of which
   * only the lines count), then a snapshot of its state and calls, which ends the re-attaching.
   */
  private helloReattach(lane: Lane): void {
    const after = lane.reattaching!.after;
    this.transmit({ type: "hello", works: [{ work: lane.name, incarnation: lane.incarnation, after }] });
    this.transmit({ type: "send", work: lane.name, incarnation: lane.incarnation, message: { type: "resync" } });
  }

  /**
   * A message of a work being re-attached: a line after the last one the earlier flow showed is
   * shown; the snapshot ends the re-attaching (its state replaces the journal's, its calls say which
   * of the engine's the work has); the rest came before the snapshot, which holds it.
   */
  private reattachMessage(lane: Lane, message: Record<string, unknown>): void {
    const reattaching = lane.reattaching!;
    const seq = typeof message.seq === "number" ? message.seq : 0;
    if (message.incarnation !== lane.incarnation) return;
    if (message.type === "log") {
      if (seq <= reattaching.after) return;
      lane.link.order.resynced(seq - 1);
      lane.deliver?.(message);
      return;
    }
    // Its process ended before it could answer: the work is gone, its calls are sent again.
    if (message.type === "exiting") return this.ended(lane, undefined);
    if (message.type !== "snapshot") return;
    lane.reattaching = undefined;
    const calls = Array.isArray(message.calls) ? (message.calls as { callId?: unknown }[]) : [];
    const live = calls.map((c) => c.callId).filter((id): id is string => typeof id === "string" && reattaching.calls.has(id));
    reattaching.resolve(live);
    this.emit({ type: "placed", work: lane.name, host: this.options.host });
    // The snapshot, and what comes after it, once the engine has taken the answer: its calls are then the engine's own.
    const held: Record<string, unknown>[] = [message];
    lane.held = held;
    setTimeout(() => {
      lane.held = undefined;
      if (lane.ended) return;
      lane.link.order.resynced(seq - 1);
      for (const m of held) lane.deliver?.(m);
      this.emitHandle(lane);
    }, 0);
  }

  /**
   * Re-adopts a work an earlier run of the flow started on this host (its
   * `handle`): the agent is told the work's incarnation, the work's lines after
   * the last one the earlier flow printed are shown, and the work sends a
   * snapshot of its state and its calls' stages, which replaces what the
   * journal kept. Resolves with those of `calls` the work has (running or
   * finished); `[]` when the agent no longer has the work (its host lost every
   * process) or the handle is not this host's.
   */
  reattach(work: WorkRef, calls: readonly { id: string; hash: string }[], handle: unknown): Promise<string[]> {
    const found = parseRemoteHandle(handle);
    const existing = this.lanes.get(work.name);
    if (!found || found.host !== this.options.host || (existing && !existing.stopping)) return Promise.resolve([]);
    const lane = this.newLane(work, found.incarnation);
    lane.opened = true;
    lane.initComplete = true;
    lane.isReady = true;
    lane.ready = Promise.resolve();
    const result = new Promise<string[]>((resolve) => {
      lane.reattaching = { after: found.seq, calls: new Set(calls.map((c) => c.id)), resolve };
    });
    this.lanes.set(work.name, lane);
    if (this.state === "open") this.helloReattach(lane);
    else this.ensureConnected();
    return result;
  }

  call(work: WorkRef, call: WorkCall): void {
    const lane = this.lanes.get(work.name);
    if (!lane || lane.stopping) {
      this.emit({ type: "failed", work: work.name, callId: call.id, error: { name: "Error", message: `${work.name} is not started` } });
      return;
    }
    const run = { type: "run" as const, callId: call.id, args: call.args, delta: call.delta };
    // Kept until the work says it started: a call lost with the link is sent again (the work runs it once).
    lane.unstarted.set(call.id, run);
    if (lane.isReady) this.transmit({ type: "send", work: lane.name, incarnation: lane.incarnation, message: run });
  }

  async stop(work: WorkRef): Promise<void> {
    const lane = this.lanes.get(work.name);
    if (!lane) return;
    this.lanes.delete(work.name);
    await this.shutdown(lane);
  }

  async close(): Promise<void> {
    const lanes = [...this.lanes.values()];
    this.lanes.clear();
    await Promise.all([...lanes.map((lane) => this.shutdown(lane))]);
    this.state = "closed";
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.socket?.terminate();
    this.socket = undefined;
  }

  /** Asks the agent to stop the work and waits until its process is gone (or the link is down past the grace). */
  private async shutdown(lane: Lane): Promise<void> {
    if (lane.stopping) return;
    lane.stopping = true;
    lane.link.stopping = true;
    if (lane.ended) return;
    const grace = this.options.stopGraceMs ?? 3000;
    this.stoppingLanes.set(lane.name, lane);
    if (this.state !== "open") {
      // The link is down: the stop is sent when it is back (see connected), and an agent whose
      // controller never comes back ends the work itself (its orphan limit). Nothing to wait for here.
      lane.link.close();
      lane.ended = true;
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        lane.onClosed = resolve;
        this.transmit({ type: "stop", work: lane.name, incarnation: lane.incarnation, graceMs: grace });
      }),
      // The agent ends the process after the grace; past that and a margin, the link is down: the stop is
      // sent again when it is back (see reconnected).
      new Promise<void>((resolve) => (timer = setTimeout(resolve, grace + 5000))),
    ]);
    clearTimeout(timer);
    lane.link.close();
    lane.ended = true;
  }

  /**
   * The lane is over (its process ended, or the agent lost it): forgotten by
   * the agent, and reported once: as the failure of its start while it was
   * starting, else as `exited`.
   */
  private ended(lane: Lane, event: Extract<WorkEvent, { type: "exited" }> | undefined): void {
    if (lane.ended) return;
    lane.ended = true;
    lane.link.stopping = true;
    lane.link.close();
    if (this.lanes.get(lane.name) === lane) this.lanes.delete(lane.name);
    this.transmit({ type: "forget", work: lane.name, incarnation: lane.incarnation });
    // A work that could not be re-attached (gone with its host's processes): its calls are sent again.
    const reattaching = lane.reattaching;
    lane.reattaching = undefined;
    if (reattaching) {
      reattaching.resolve([]);
      const ref = reattaching.startAgain;
      if (ref && this.state !== "closed") {
        this.start(ref).catch((error: unknown) =>
          this.emit({ type: "exited", work: ref.name, error: { name: error instanceof Error ? error.name : "Error", message: error instanceof Error ? error.message : String(error) } }),
        );
      }
      return;
    }
    if (!event || lane.stopping) return;
    // A start that fails is reported by the engine as the work's exit; a lost host keeps its own reason.
    if (lane.settle && event.reason !== "host lost") return lane.settle(event.error);
    lane.settle?.(undefined);
    this.emit(event);
  }

  private sendFlow(lane: Lane, message: FlowToWork): void {
    if (message.type === "run" || message.type === "resync") this.transmit({ type: "send", work: lane.name, incarnation: lane.incarnation, message });
  }

  private openLane(lane: Lane): void {
    if (!lane.initComplete) return;
    const program = this.options.program;
    this.transmit({ type: "open", work: lane.name, init: lane.init, compute: lane.compute, ...(program ? { program } : {}) });
  }

  /** Sends when the link is up; otherwise dropped: what matters is sent again on reconnect. */
  private transmit(message: ControllerMessage): void {
    if (this.state !== "open" || !this.socket) return;
    try {
      this.socket.send(JSON.stringify(message));
    } catch {
      // The socket is closing: its close handler reconnects.
    }
  }

  private ensureConnected(): void {
    if (this.state === "idle") void this.connectNow();
  }

  private async connectNow(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "connecting";
    const attempt = {};
    this.attemptToken = attempt;
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    let pending: ChannelSocket | undefined;
    // An attempt that hangs (a forward that never opens, an upgrade never answered) is given up.
    const timer = setTimeout(() => {
      if (this.attemptToken !== attempt || this.state !== "connecting") return;
      this.attemptToken = undefined;
      pending?.terminate();
      this.down(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    (timer as { unref?: () => void }).unref?.();
    let endpoint: AgentEndpoint;
    let token: string;
    try {
      token = typeof this.options.token === "string" ? this.options.token : await this.options.token();
      endpoint = await this.options.connect();
    } catch (error) {
      clearTimeout(timer);
      if (this.attemptToken !== attempt) return;
      return this.down(error instanceof Error ? error.message : String(error));
    }
    if (this.state !== "connecting" || this.attemptToken !== attempt) {
      clearTimeout(timer);
      endpoint.stream?.destroy();
      return;
    }
    const max = this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
    let socket: ChannelSocket | undefined;
    let opened = false;
    try {
      const app = this.options.app;
      if (app !== undefined) endpoint = { ...endpoint, url: withApp(endpoint.url, app) };
      socket = await openChannelSocket(endpoint, token, max, {
        onOpen: () => {
          clearTimeout(timer);
          if (this.attemptToken !== attempt) return socket?.terminate();
          opened = true;
          this.socket = socket;
          this.state = "open";
          this.connected();
        },
        onMessage: (text) => this.received(text),
        onClose: (why) => {
          clearTimeout(timer);
          if (this.socket === socket || (!opened && this.attemptToken === attempt)) {
            this.attemptToken = undefined;
            this.socket = undefined;
            this.down(why);
          }
        },
      });
      pending = socket;
    } catch (error) {
      clearTimeout(timer);
      return this.down(error instanceof Error ? error.message : String(error));
    }
  }

  /** The socket is open: the agent is told where each work is, and what was lost is sent again. */
  private connected(): void {
    this.attempt = 0;
    this.lastHeard = Date.now();
    const lanes = [...this.lanes.values()];
    const opened = lanes.filter((l) => l.opened);
    const after = (l: Lane) => (l.reattaching ? l.reattaching.after : l.link.order.lastSeq);
    this.transmit({ type: "hello", works: opened.map((l) => ({ work: l.name, incarnation: l.incarnation, after: after(l) })) });
    for (const lane of lanes) {
      if (lane.reattaching) this.transmit({ type: "send", work: lane.name, incarnation: lane.incarnation, message: { type: "resync" } });
      else if (!lane.opened) this.openLane(lane);
      else if (lane.isReady) for (const run of lane.unstarted.values()) this.transmit({ type: "send", work: lane.name, incarnation: lane.incarnation, message: run });
    }
    for (const lane of this.stoppingLanes.values()) {
      this.transmit({ type: "stop", work: lane.name, incarnation: lane.incarnation, graceMs: this.options.stopGraceMs ?? 3000 });
    }
    const pingMs = this.options.pingMs ?? 5000;
    const giveUpMs = Math.min(this.options.stalledMs ?? 60_000, this.options.hostLostMs ?? 600_000);
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      const silent = Date.now() - this.lastHeard;
      if (silent > giveUpMs) {
        this.lostSince ??= this.lastHeard;
        this.socket?.terminate();
        return;
      }
      if (silent > 2 * pingMs) {
        // Reported, and the socket kept: the link may come back (see stalledMs).
        this.lostSince ??= this.lastHeard;
        this.reportLost(`no answer for ${Math.round(silent / 1000)} s`, true);
      }
      this.transmit({ type: "ping", id: ++this.pingId });
    }, pingMs);
    (this.pingTimer as { unref?: () => void }).unref?.();
    this.everOpen = true;
    this.linkBack();
  }

  /** The link works again: a loss reported is told to be over. */
  private linkBack(): void {
    this.lostSince = undefined;
    if (!this.lostReported) return;
    this.lostReported = false;
    for (const lane of this.lanes.values()) {
      this.emit({ type: "connection", work: lane.name, state: "restored", message: `${lane.name}: the link to ${this.options.host} is back` });
    }
  }

  /** The link is down: each work is told once, until it is back (`waiting`: on the socket still open, not by reconnecting). */
  private reportLost(why: string, waiting = false): void {
    if (this.lostReported || this.lanes.size === 0) return;
    this.lostReported = true;
    for (const lane of this.lanes.values()) {
      const message = this.everOpen
        ? `${lane.name}: the link to ${this.options.host} is down (${why}); the work may still be running there. ${waiting ? "Waiting for it." : "Reconnecting."}`
        : `${lane.name}: ${this.options.host} cannot be reached (${why}). Retrying.`;
      this.emit({ type: "connection", work: lane.name, state: "lost", message });
    }
  }

  /** The link is down or could not be made: reported once, retried with backoff, and given up past the limit. */
  private down(why: string): void {
    if (this.state === "closed") return;
    clearInterval(this.pingTimer);
    this.state = "idle";
    this.lostSince ??= Date.now();
    this.reportLost(why);
    const limit = this.options.hostLostMs ?? 600_000;
    if (Date.now() - this.lostSince >= limit) return this.hostLost(limit);
    if (this.lanes.size === 0 && this.stoppingLanes.size === 0) return; // Nothing to reconnect for: the next start does.
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 100, maxMs: 5000 };
    const wait = Math.min(maxMs, initialMs * 2 ** this.attempt++);
    const left = limit - (Date.now() - this.lostSince);
    this.reconnectTimer = setTimeout(() => void this.connectNow(), Math.max(0, Math.min(wait, left)));
  }

  private hostLost(limit: number): void {
    const minutes = limit >= 60_000 ? `${Math.round(limit / 60_000)} minutes` : `${Math.round(limit / 1000)} s`;
    const error = {
      name: "HostLostError",
      code: "E_HOST_LOST",
      message: `host lost: ${this.options.host} stayed unreachable for ${minutes}; the work is given up (it may still run there)`,
    };
    for (const lane of [...this.lanes.values()]) {
      this.ended(lane, { type: "exited", work: lane.name, error, reason: "host lost" });
    }
    for (const lane of this.stoppingLanes.values()) lane.onClosed?.();
    this.stoppingLanes.clear();
    this.lostSince = undefined;
    this.lostReported = false;
  }

  /** A work's message, for its lane's WorkLink (which parses it with the work protocol's schema). */
  private event(work: string, message: Record<string, unknown>): void {
    const lane = this.lanes.get(work) ?? this.stoppingLanes.get(work);
    if (lane?.reattaching) return this.reattachMessage(lane, message);
    if (lane?.held) return void lane.held.push(message);
    lane?.deliver?.(message);
  }

  private received(text: string): void {
    this.lastHeard = Date.now();
    if (this.lostSince !== undefined && this.state === "open") this.linkBack();
    const parsed = parseAgentFrame(text, this.options.maxMessageBytes ?? MAX_MESSAGE_BYTES);
    if (!parsed.ok) {
      for (const lane of this.lanes.values()) {
        this.emit({ type: "log", work: lane.name, stream: "stderr", line: `[lit-app] ${this.options.host}'s agent sent ${parsed.problem}; dropped.` });
        break;
      }
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case "event":
        return this.event(message.work, message.message);
      case "events":
        for (const event of message.events) this.event(event.work, event.message);
        return;
      case "opened": {
        const lane = this.lanes.get(message.work);
        if (lane?.incarnation !== message.incarnation) return;
        const first = !lane.opened;
        lane.opened = true;
        if (first) {
          this.emit({ type: "placed", work: lane.name, host: this.options.host, gpus: message.gpus ?? [] });
          this.emitHandle(lane);
        }
        return;
      }
      case "closed": {
        const lane = this.stoppingLanes.get(message.work);
        if (lane?.incarnation !== message.incarnation) return;
        this.stoppingLanes.delete(message.work);
        this.transmit({ type: "forget", work: lane.name, incarnation: lane.incarnation });
        lane.onClosed?.();
        return;
      }
      case "unknown": {
        const lane = this.lanes.get(message.work);
        if (lane?.incarnation === message.incarnation) {
          const error = {
            name: "WorkLostError",
            message: `${this.options.host}'s agent no longer has ${lane.name} (its files on the host were removed, or the agent's home changed)`,
          };
          this.ended(lane, { type: "exited", work: lane.name, error });
        }
        const stopping = this.stoppingLanes.get(message.work);
        if (stopping?.incarnation === message.incarnation) {
          this.stoppingLanes.delete(message.work);
          stopping.onClosed?.();
        }
        return;
      }
      case "waiting": {
        // The work's status says why it waits (pending, with the reason), and the log once.
        const lane = this.lanes.get(message.work);
        if (lane?.incarnation !== message.incarnation || lane.waitingSaid === message.reason) return;
        lane.waitingSaid = message.reason;
        this.emit({ type: "waiting", work: lane.name, reason: message.reason });
        this.emit({ type: "log", work: lane.name, stream: "stderr", line: `[lit-app] ${lane.name} is pending: ${message.reason}` });
        return;
      }
      case "error":
        for (const lane of this.lanes.values()) {
          this.emit({ type: "log", work: lane.name, stream: "stderr", line: message.message });
          break;
        }
        return;
      case "pong":
        return;
    }
  }
}
