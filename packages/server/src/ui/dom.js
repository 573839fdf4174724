// @ts-check
/**
 * Small DOM helpers for the UI. Every string from the app's state goes in as
 * text or as a plain attribute: never as HTML, never as an event handler, and
 * into `href`/`src` only when it is an http(s) URL or a path of the app.
 */
import { embeddableUrl } from "./urls.js";

/**
 * Creates an element.
 * @param {string} tag e.g. `span.chip`
 * @param {Record<string, any>} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const [name, ...classes] = tag.split(".");
  const el = document.createElement(name || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) {
      if (typeof value !== "function") throw new TypeError(`h("${tag}"): ${key} must be a function, not a string of code`);
      el.addEventListener(key.slice(2), value);
    } else if (key === "text") el.textContent = String(value);
    else if (key === "href" || key === "src") {
      const url = embeddableUrl(value, location.href);
      if (url) el.setAttribute(key, url.href);
    } else el.setAttribute(key, String(value));
  }
  for (const child of children) if (child) el.append(child);
  return el;
}

/**
 * A status chip.
 * @param {string} stage
 */
export function chip(stage) {
  return h("span.chip", { "data-stage": stage, text: stage.replace("_", " ") });
}

/**
 * A badge naming the host a work runs on (one of the user's machines), with the GPUs it holds there.
 * @param {{ host: string, gpus: string[] } | undefined} placement
 */
export function hostBadge(placement) {
  if (!placement) return null;
  const gpus = placement.gpus.length ? ` (GPU ${placement.gpus.join(", ")})` : "";
  return h("span.badge.host", { title: `runs on ${placement.host}${gpus}`, text: `@${placement.host}` });
}

/**
 * A compute badge.
 * @param {{ name: string } | undefined} compute
 */
export function computeBadge(compute) {
  if (!compute) return null;
  return h("span.badge", { "data-gpu": compute.name.startsWith("gpu"), title: "compute", text: compute.name });
}

/**
 * JSON with a little colour.
 * @param {unknown} value
 */
export function jsonView(value) {
  const pre = h("pre.json");
  const text = JSON.stringify(value, null, 2) ?? "undefined";
  const re = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    pre.append(text.slice(last, m.index));
    const cls = m[1] ? (m[2] ? "k" : "s") : m[3] ? "b" : "n";
    pre.append(h(`span.${cls}`, { text: m[1] ?? m[0] }));
    if (m[2]) pre.append(m[2]);
    last = (m.index ?? 0) + m[0].length;
  }
  pre.append(text.slice(last));
  return pre;
}

/**
 * The last segment of a dotted name.
 * @param {string} name
 */
export function shortName(name) {
  return name.slice(name.lastIndexOf(".") + 1);
}
