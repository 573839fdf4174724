/** The files of one work on a host, in its folder under the agent's `works/`: shared by the agent and the work's process. */
import { join } from "node:path";

/** Tells a work process its folder (read once, then removed from its environment). */
export const WORK_DIR_ENV = "LIT_AGENT_WORK_DIR";

/** The files of the work whose folder is `dir`. */
export interface WorkFiles {
  dir: string;
  /** `work.json`: the agent's record of the work (its {@link WorkRecord}). */
  record: string;
  /** `init.json`: the flow's `init` message, written before the process starts. */
  init: string;
  /** `journal.jsonl`: every message the work sent, one JSON per line, append-only. */
  journal: string;
  /** `output.log`: what the process wrote to its own stdout and stderr (a runtime's crash report), append-only. */
  output: string;
  /** `sock`: the Unix socket the work's process listens on for the agent. */
  socket: string;
}

/** The files of the work whose folder is `dir`. */
export function workFiles(dir: string): WorkFiles {
  return {
    dir,
    record: join(dir, "work.json"),
    init: join(dir, "init.json"),
    journal: join(dir, "journal.jsonl"),
    output: join(dir, "output.log"),
    socket: join(dir, "sock"),
  };
}
