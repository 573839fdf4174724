/** Frontends a flow can show in a layout tab. Plain data: the app server serves them. */

/**
 * A folder of static files (an `index.html` and its assets) shown in a tab.
 * Pages use the browser client, served by the app at `/client.js`, to read
 * and change the app's state.
 * @example
 * configureLayout() {
 *   return [{ name: "Notebooks", content: new L.StaticWebFrontend(new URL("./ui", import.meta.url)) }];
 * }
 */
export class StaticWebFrontend {
  /** The folder: an absolute path or a `file:` URL. */
  readonly dir: string;
  constructor(dir: string | URL) {
    const value = dir instanceof URL ? dir.href : dir;
    if (typeof value !== "string" || value === "") {
      throw new TypeError("StaticWebFrontend: give the folder to serve, e.g. new L.StaticWebFrontend(new URL(\"./ui\", import.meta.url)).");
    }
    this.dir = value;
  }
}
