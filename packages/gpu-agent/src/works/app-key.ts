/**
 * Several apps on one host: the agent keeps each work under its app's key
 * and its dotted name, so that two apps with a `root.train` each run side by
 * side. An app is known on a host by its storage folder in the agent's
 * storage root (`apps/<name>`, as its Drives are): the controller names it
 * when it opens the work channel (`/v1/channel?app=apps/<name>`). A
 * controller that names none (an older one) has the works of no app, under
 * their bare names, as before.
 *
 * In the work table the two make one name, `apps/<name>#root.train` (a
 * work's dotted name has no `#`, an app's key neither): its record on disk
 * and the GPUs it holds carry it, so a restarted agent keeps them apart too.
 */
import { APP_DIR } from "../drives/drive-messages.ts";

/** An app's key on a host: its storage folder, `apps/<name>`. */
export const APP_KEY = APP_DIR;

const SEPARATOR = "#";

/** The work table's name of `work` of the app `app` (the bare name when there is no app). */
export function tableName(app: string | undefined, work: string): string {
  return app === undefined ? work : `${app}${SEPARATOR}${work}`;
}

/** The app and the work's dotted name of a table name (no app for a bare name). */
export function splitTableName(name: string): { app: string | undefined; work: string } {
  const at = name.indexOf(SEPARATOR);
  if (at > 0 && APP_KEY.test(name.slice(0, at))) return { app: name.slice(0, at), work: name.slice(at + 1) };
  return { app: undefined, work: name };
}

/** Whether `value` is an app's key, for a query or a request body. */
export function isAppKey(value: string): boolean {
  return APP_KEY.test(value);
}
