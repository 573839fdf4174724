/**
 * A deployed app's flow process (started by its host's agent, see
 * gpu-agent's apps module): reads the app's spec from `$LIT_DEPLOYED_DIR/app.json`,
 * runs the app with its works routed by the `--host` rules and its server on
 * the host's 127.0.0.1 (or, deployed with `--public`, on 0.0.0.0 with a token), reports the server's port (`server.json`) and, when
 * the app ends, how it ended (`result.json`). Its state is journaled in
 * `journal/`, from which a flow started again resumes. SIGTERM (lit stop) stops the
 * app, which stops its works.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { AppEngine, type AppResult } from "@lit-app/core/internal";
import { DEPLOYED_DIR_ENV, DEPLOYED_RESTARTS_ENV, type CarriedAppModules } from "@lit-app/gpu-agent";
import { appFilesIn, readSpec } from "@lit-app/gpu-agent/app-files";
import { writeFileAtomicSync } from "@lit-app/runtime";
import type { UiAssets } from "@lit-app/server";
import { appOfModule } from "../cli/load-app.ts";
import { openFileJournal } from "../runner/file-journal.ts";
import { logPrinter } from "../runner/log-printer.ts";
import { systemClock } from "../runner/system-clock.ts";
import { deployedExecutor } from "./flow-executor.ts";
import { PUBLIC_TOKEN_FILE } from "./public-server.ts";
import { writeFlowSshHome } from "./flow-ssh.ts";

const say = (line: string) => void process.stderr.write(`[lit-app] ${line}\n`);


/**
 * Runs the deployed app whose module `load` imports; exits the process with the app's exit code.
 * @param uiAssets the UI's files the program carries (written to `<lit home>/ui/<their hash>/` once, and served from there).
 * @param modules the app's modules the program carries: where the classes of works created inside run() are found.
 */
export async function runDeployedFlow(load: () => Promise<Record<string, unknown>>, uiAssets?: UiAssets, modules?: CarriedAppModules): Promise<void> {
  const dir = process.env[DEPLOYED_DIR_ENV];
  if (!dir) throw new Error(`${DEPLOYED_DIR_ENV} is not set: this program is started by the lit agent for a deployed app`);
  const files = appFilesIn(dir);
  // The agent checked the spec as it wrote it; read bounded and checked again.
  const spec = readSpec(files);
  if (!spec) throw new Error(`the app's spec ${files.spec} is missing, larger than 1 MiB or not valid: deploy the app again (lit deploy)`);
  const litHome = process.env.LIT_HOME ?? join(dir, "..", "..");
  say(`${spec.name}: the flow starts (pid ${process.pid}, hosts ${spec.hosts.map((h) => h.alias).join(", ")})`);
  const app = appOfModule(await load());
  if (!app) throw new Error("the app's file does not build a LightningApp (end it with: export default new L.LightningApp(new YourFlow());)");
  const sshEnv = writeFlowSshHome(dir, spec.hosts, spec.sshKey);
  const place = { litHome, sshEnv, ...(modules ? { modules } : {}) };
  const executor = deployedExecutor(spec, place);
  // The agents hand the works' Drive operations to this flow (the app's Drive authority) from now on; they are
  // asked while the hosts' reach is checked below, on the same SSH connections to the other hosts.
  const serving = executor.serveDrives();
  serving.catch(() => undefined);
  // On its first start, a flow that cannot reach one of its hosts ends the deploy, saying which pair and why;
  // started again later, it waits for the host like any run does.
  if ((process.env[DEPLOYED_RESTARTS_ENV] ?? "0") === "0") {
    const here = spec.hosts.find((h) => h.via === "local")!.alias;
    try {
      await executor.checkReach(here);
    } catch (error) {
      const message = (error as Error).message;
      writeFileAtomicSync(files.result, JSON.stringify({ stage: "failed", message: message.slice(0, 4000) }));
      say(`${spec.name}: ${message}`);
      process.exit(1);
    }
  }
  await serving;
  // The flow's state, its works' state and their calls go to the journal as they change: a flow started
  // again (after a crash, or by an agent after a reboot) resumes from it, and no call that succeeded runs again.
  const journal = openFileJournal(files.journal);
  const engine = new AppEngine(app, { executor, clock: systemClock, journal });
  engine.onLog(logPrinter({ stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) }, false));
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void engine.stop(`stopped by ${signal === "SIGTERM" ? "lit stop" : signal}`));
  // Started before its server: a journal the app cannot resume from (its components differ: lit deploy
  // --resume of changed code) fails the app here, saying what differs, before the deploy counts it as running.
  const ending = engine.start();
  await engine.started;
  // Not running: it failed as it started (it may still be closing its executor, i.e. "stopping").
  if (engine.stage !== "running") {
    const result = await ending;
    writeFileAtomicSync(files.result, JSON.stringify({ stage: result.stage, message: result.message.slice(0, 4000) }));
    say(`${spec.name}: the app failed: ${result.message}`);
    process.exit(result.exitCode === 0 ? 1 : result.exitCode);
  }
  const { startAppServer, writeUiAssets } = await import("@lit-app/server");
  // Named by their content, written once per host: a flow started again, or another app with the same lit, finds them.
  const assetsDir = uiAssets ? join(litHome, "ui", createHash("sha256").update(JSON.stringify(uiAssets)).digest("hex").slice(0, 32)) : "";
  if (uiAssets && !existsSync(join(assetsDir, ".complete"))) {
    writeUiAssets(assetsDir, uiAssets);
    writeFileAtomicSync(join(assetsDir, ".complete"), "");
  }
  // Loopback only (lit ui tunnels to it), unless deployed with --public: then every request carries the token,
  // kept beside the spec (0600) for lit ui and lit status to read over SSH.
  const { listen, token } = spec.options;
  if (listen !== undefined && token !== undefined) writeFileAtomicSync(join(dir, PUBLIC_TOKEN_FILE), `${token}\n`, { mode: 0o600 });
  const server = await startAppServer(engine, {
    port: spec.options.port,
    strictPort: true,
    name: spec.name,
    register: false,
    print: say,
    ...(uiAssets ? { assetsDir } : {}),
    ...(listen !== undefined ? { listen, token } : {}),
  });
  writeFileAtomicSync(files.server, JSON.stringify({ pid: process.pid, port: server.port }));
  say(`${spec.name}: the app server listens on ${server.listen}:${server.port}${server.token ? " (every request needs its token)" : ""}`);
  const result: AppResult = await ending;
  await server.close().catch(() => undefined);
  writeFileAtomicSync(files.result, JSON.stringify({ stage: result.stage, message: result.message.slice(0, 4000) }));
  say(`${spec.name}: the app ${result.stage === "failed" ? "failed" : "ended"}: ${result.message}`);
  process.exit(result.exitCode);
}
