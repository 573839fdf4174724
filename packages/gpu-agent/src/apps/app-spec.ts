/**
 * What `POST /v1/apps` carries: a deployed app as its flow process needs it
 * (the flow program's bundle, the synced folder, the host rules, and how to
 * reach each host's agent). The agent keeps it as `app.json` in the app's
 * folder; the flow process reads it from there.
 */
import { z } from "zod";

/** A deployed app's name: lowercase letters, digits, `-`, `_`, `.`; starts with a letter or digit; at most 63 characters. */
export const APP_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const hash = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters (a sha256)");
const alias = z.string().min(1).max(253).regex(/^[A-Za-z0-9._@-]+$/, "must be an SSH host alias");
const fileUrl = z.string().max(4096).regex(/^file:\/\/\//, "must be a file:// URL");
const homeRelative = z
  .string()
  .max(1024)
  .regex(/^[A-Za-z0-9._/-]+$/, "must be a path of letters, digits, `.`, `_`, `-`, `/`")
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "must stay inside the lit home");

/** How the flow reaches one host's agent. */
export const deployHostSchema = z.strictObject({
  /** The host's alias, as the rules name it. */
  alias,
  /** `local`: the flow's own host (the agent on loopback); `ssh`: over SSH with the app's key. */
  via: z.enum(["local", "ssh"]),
  /** For `ssh`: where the host is, as the flow host reaches it. */
  ssh: z
    .strictObject({
      hostName: z.string().min(1).max(253).regex(/^[A-Za-z0-9.:_-]+$/, "must be a host name or address"),
      port: z.number().int().min(1).max(65535),
      user: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, "must be a user name"),
      /** The known_hosts lines of the host's key that the deploying machine verified. */
      knownHosts: z.array(z.string().max(8192).regex(/^[^\n\r]+$/)).min(1).max(16),
      /** The agent's port there (the key's permitopen). */
      agentPort: z.number().int().min(1).max(65535),
      /** The agent's token there. */
      token: z.string().min(16).max(512),
    })
    .optional(),
  /** The app's module on that host (in its synced folder). */
  appModule: fileUrl,
  /** The work program's file name in that agent's program folder. */
  program: z.string().regex(/^[0-9a-f]{64}\.mjs$/),
  /** The folder of the works' storage roots there (absolute). */
  storageDir: z.string().min(1).max(4096).regex(/^\/[^\0]*$/),
});

/** The body of `POST /v1/apps`. */
export const deployAppSchema = z.strictObject({
  name: z.string().regex(APP_NAME, "must be lowercase letters, digits, `.`, `_`, `-` (1-63, starting with a letter or digit)"),
  /** The flow program: `~/.lit/bundles/<hash>.mjs` on this host. */
  bundle: hash,
  /** The app's synced folder, relative to the lit home (`storage/folders/<app>`): the flow runs there. */
  folder: homeRelative,
  /** The `--host` rules, as given (`gpu=gpu-box`, `gpu-box`). */
  rules: z.array(z.string().min(1).max(300)).min(1).max(32),
  /** Each host the rules name, and this host. */
  hosts: z.array(deployHostSchema).min(1).max(32),
  /** The app's SSH private key (OpenSSH format), for the hosts reached over SSH. */
  sshKey: z.string().max(16_384).regex(/^-----BEGIN OPENSSH PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END OPENSSH PRIVATE KEY-----\n?$/, "must be an OpenSSH private key").optional(),
  /** Extra environment of the flow process. */
  env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/), z.string().max(16_384)).refine((e) => Object.keys(e).length <= 64, "at most 64 variables").default({}),
  options: z
    .strictObject({
      /** Restart the flow when it dies (default true). */
      restart: z.boolean().default(true),
      /** The app server's port on 127.0.0.1 (0: a free one). */
      port: z.number().int().min(0).max(65535).default(0),
      /** Keep the flow's journal of an app deployed before under this name (default: a new deployment starts afresh). */
      resume: z.boolean().default(false),
      /** `lit deploy --public`: the app server listens on this address (e.g. `0.0.0.0`) instead of 127.0.0.1; `token` is then required. */
      listen: z.string().min(1).max(64).regex(/^[0-9A-Fa-f.:]+$/, "must be an IP address").optional(),
      /** The token every request to the app server must carry (with `listen`). */
      token: z.string().min(16).max(512).regex(/^[\x21-\x7e]+$/, "must be printable characters without spaces").optional(),
    })
    .refine((o) => o.listen === undefined || o.token !== undefined, "a public app server (listen) needs a token")
    .default({ restart: true, port: 0, resume: false }),
});

/** A deployed app as `POST /v1/apps` gives it. */
export type DeployAppSpec = z.infer<typeof deployAppSchema>;
/** How the flow reaches one host. */
export type DeployHost = z.infer<typeof deployHostSchema>;

/** The stage of a deployed app on its flow host. */
export type DeployedStage = "starting" | "running" | "restarting" | "finished" | "failed" | "stopping" | "stopped";

/** What `GET /v1/apps/:name` answers. */
export interface DeployedAppStatus {
  name: string;
  stage: DeployedStage;
  /** The flow process, while there is one. */
  pid: number | null;
  /** The app server's port on 127.0.0.1, once it listens. */
  serverPort: number | null;
  /** How many times the flow process was started again. */
  restarts: number;
  /** The bundle's hash. */
  bundle: string;
  /** Every host of the app (the flow's and the ones the rules name). */
  hosts: string[];
  /** The flow's host (this one), as the app names it. */
  flowHost: string;
  /** The `--host` rules. */
  rules: string[];
  /** Where the app's works keep their storage on each host (what `--purge` removes). */
  storage: { host: string; dir: string }[];
  /** When it was deployed (epoch ms). */
  deployedAt: number;
  /** How the app ended, once it did. */
  result?: { stage: string; message?: string };
  /** The flow's log file on the host. */
  log: string;
}
