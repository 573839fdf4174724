/** A real ssh-agent for tests, on a socket in a temp folder, with keys added by ssh-add. */
import { execFileSync, spawn } from "node:child_process";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A running ssh-agent. */
export interface TestSshAgent {
  /** Its socket: SSH_AUTH_SOCK. */
  socket: string;
  /** Adds a key file (encrypted ones with their passphrase). */
  add(file: string, passphrase?: string): void;
  stop(): void;
}

/** Starts `ssh-agent -D -a <dir>/agent.sock`; resolves once the socket exists. */
export async function startSshAgent(dir: string): Promise<TestSshAgent> {
  const socket = join(dir, "agent.sock");
  const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
  for (let i = 0; i < 250; i++) {
    try {
      if (statSync(socket).isSocket()) break;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    socket,
    add(file, passphrase = "") {
      const askpass = join(dir, "askpass.sh");
      writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' '${passphrase.replace(/'/g, "")}'\n`, { mode: 0o700 });
      execFileSync("ssh-add", [file], {
        env: { ...process.env, SSH_AUTH_SOCK: socket, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", DISPLAY: ":0" },
        stdio: "ignore",
      });
    },
    stop: () => void agent.kill(),
  };
}
