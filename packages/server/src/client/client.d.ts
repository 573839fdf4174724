/**
 * lit-app/client: connect a web page (or a Node script) to a running app,
 * read its state, follow its changes, and change it. See client.js.
 */

/** One JSON Patch operation. */
export interface PatchOp {
  op: "add" | "remove" | "replace";
  path: string;
  value?: unknown;
}

/** One component in the state document. */
export interface ComponentDocument {
  kind: "flow" | "work";
  vars: Record<string, any>;
  status?: { stage: string; timestamp: number; reason?: string; message?: string };
  compute?: { name: string; diskSize?: number; idleTimeout?: number | null; shmSize?: number; gpus?: number };
  /** Where the work runs, when it runs on one of the user's machines: the host's name and the GPUs it holds there. */
  placement?: { host: string; gpus: string[] };
  url?: string;
}

/** The app's whole state: `GET /api/v1/state`. */
export interface StateDocument {
  stage: string;
  components: Record<string, ComponentDocument>;
}

/** One line a component printed. */
export interface LogEntry {
  seq: number;
  component: string;
  stream: "stdout" | "stderr";
  line: string;
  time: number;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** The app's token, when it has one (a page opened with `?token=` finds it by itself). */
  token?: string;
  /** The component `state` stands for; default `root`. */
  component?: string;
  /** Also receive the lines components print (see `onLog`). */
  logs?: boolean;
  /** A WebSocket class (e.g. from the `ws` package); default the global one, else server-sent events. */
  WebSocket?: unknown;
  /** Called when the app refuses a change; default `console.error`. */
  onError?: (error: Error) => void;
}

/** A connection to a running app. */
export declare class AppClient {
  /** The app's URL. */
  readonly url: string;
  readonly token: string | undefined;
  /** True while the live connection is open. */
  readonly connected: boolean;
  /** Resolves when the first state has arrived. */
  readonly ready: Promise<void>;
  /** The whole state document, with this client's changes not yet confirmed. Read it; change state through `state`. */
  get document(): StateDocument;
  /** The app's stage: `running`, `stopping`, `stopped`, `failed`. */
  get stage(): string;
  /** The fields of the component given to `connect` (default `root`): read them, assign to change the app. */
  get state(): Record<string, any>;
  /** The fields of one component, by dotted name. */
  component(name: string): Record<string, any>;
  /** Calls `listener` after every change (the app's or this client's); returns the function that unsubscribes. */
  subscribe(listener: (state: StateDocument, ops: PatchOp[]) => void): () => void;
  /** Calls `listener` with each line a component prints (connect with `{ logs: true }`). */
  onLog(listener: (log: LogEntry) => void): () => void;
  /** Resolves when every change made so far was accepted; rejects with the app's reason otherwise. */
  flush(): Promise<void>;
  /** Sends a JSON Patch on the state document (paths like `/components/root/vars/x`). */
  patch(ops: PatchOp[]): Promise<void>;
  /** fetch() on the app with its token, for the routes of `configureApi()`. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Closes the connection. */
  close(): void;
}

/**
 * Connects to a running app; resolves once its state has arrived.
 * @param url the app's URL; default the page's origin.
 */
export declare function connect(url?: string, options?: ConnectOptions): Promise<AppClient>;
