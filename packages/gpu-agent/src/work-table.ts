/** The works running on a host, as the host report lists them (the works side implements it). */

/** One running work. */
export interface WorkTableEntry {
  /** The work's name in the app (`root.train`). */
  name: string;
  /** Its app's key on the host (`apps/<name>`); absent for a work opened without one. */
  app?: string;
  /** Its OS process id, or null while it has none (waiting for a GPU). */
  pid: number | null;
  /** Its stage (`pending`, `running`, ...). */
  stage: string;
  /** The UUIDs of the GPUs it holds. */
  gpus: string[];
}

/** What the host report asks of the works side. */
export interface WorkTable {
  list(): WorkTableEntry[];
}

/** The table of an agent that runs no works. */
export const EMPTY_WORK_TABLE: WorkTable = { list: () => [] };
