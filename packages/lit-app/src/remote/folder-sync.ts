/**
 * The app's folder on a host: the files `.gitignore` and `.litignore` keep
 * (and never `.git/`, `.lit/`, `node_modules/`) synced by the storage engine
 * into the agent's storage root (`~/.lit/storage/folders/<app>`), through the
 * host's SSH connection: only content the host lacks is sent, each file
 * verified and written whole, so that a CommandWork there finds `train.py`
 * beside the app. Unchanged files are not read again here (their hashes are
 * kept in `<app folder>/.lit/folder-sync/`). Files deleted here stay there.
 */
import { syncFolder } from "@lit-app/storage";
import type { HttpRoot } from "@lit-app/storage/http";

/** What a sync of the app's folder did. */
export interface FolderSyncReport {
  /** Files in the folder (after the ignore files). */
  files: number;
  /** Contents sent (new to the host). */
  sent: number;
  bytesSent: number;
}

/** Where the app's folder goes in the agent's storage root: `folders/<app folder name>`. */
export function folderTarget(appFolderName: string): string {
  return `folders/${appFolderName}`;
}

/** Makes `target` in the agent's storage root hold the files of `localDir` that its ignore files keep. */
export async function syncAppFolder(root: HttpRoot, localDir: string, target: string): Promise<FolderSyncReport> {
  const report = await syncFolder(localDir, root, { target, ignore: ["node_modules/"] });
  return { files: report.files, sent: report.blobsSent, bytesSent: report.bytesSent };
}
