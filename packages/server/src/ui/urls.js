// @ts-check
/**
 * Which addresses the UI embeds or links to, and how tightly it sandboxes
 * their frames. Used by the UI and by the server's layout, so both apply the
 * same rule: only `http:` and `https:` URLs and the app's own paths; never
 * `javascript:`, `data:`, `blob:`, `file:` or anything else.
 */

/**
 * `raw` as a URL the UI may embed or link to, resolved against `base` (the
 * UI's own address, so that `/frontends/...` is the app's path), or
 * undefined when it is not an http(s) URL. The browser's own URL parser
 * decides, so tricks such as ` JaVa\tScript:` are seen as what they are.
 * @param {unknown} raw
 * @param {string | URL} base
 * @returns {URL | undefined}
 */
export function embeddableUrl(raw, base) {
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  let url;
  try {
    url = new URL(raw, base);
  } catch {
    return undefined;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url : undefined;
}

/** What a refused address looks like in a message: quoted, and cut when long. */
export function quoteUrl(/** @type {unknown} */ raw) {
  const text = typeof raw === "string" ? raw : String(raw);
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * The `sandbox` of a frame showing `url` in the UI at `origin`:
 * - a static frontend of the app runs as the app's own page (it uses
 *   `/client.js` and the state API, which need the app's origin);
 * - a page of another origin (a work's server, an external site) keeps its
 *   origin, which is not the UI's, so it cannot reach the UI;
 * - any other page of the UI's origin runs in an opaque origin: scripts, but
 *   no access to the UI and no changes to the app.
 * No frame may navigate the UI away.
 * @param {URL} url
 * @param {string} origin
 * @param {boolean} frontend the tab is a static frontend served by the app
 */
export function frameSandbox(url, origin, frontend) {
  const common = "allow-scripts allow-forms allow-popups allow-downloads allow-modals";
  if (url.origin !== origin) return `${common} allow-same-origin allow-popups-to-escape-sandbox`;
  return frontend && url.pathname.startsWith("/frontends/") ? `${common} allow-same-origin` : common;
}
