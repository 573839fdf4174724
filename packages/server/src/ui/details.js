// @ts-check
/** The panel of one component: kind, status, compute, URL and its state. */
import { chip, computeBadge, h, hostBadge, jsonView } from "./dom.js";
import { embeddableUrl } from "./urls.js";

/**
 * @param {import("../client/client.js").StateDocument} doc
 * @param {string} name
 */
export function renderDetails(doc, name) {
  const comp = doc.components[name];
  if (!comp) return h("div.empty", { text: `${name} is no longer in the app.` });
  const status = comp.status;
  const meta = h("dl.meta");
  const row = (/** @type {string} */ k, /** @type {Node | string} */ v) => meta.append(h("dt", { text: k }), h("dd", {}, v));
  row("kind", comp.kind);
  if (status) row("since", new Date(status.timestamp).toLocaleTimeString());
  if (status?.reason) row("reason", status.reason);
  if (comp.compute) row("compute", `${comp.compute.name}${/** @type {any} */ (comp.compute).gpus ? ` · ${/** @type {any} */ (comp.compute).gpus} GPU` : ""}`);
  if (comp.placement) row("host", `${comp.placement.host}${comp.placement.gpus.length ? ` · GPU ${comp.placement.gpus.join(", ")}` : ""}`);
  if (comp.url) row("url", embeddableUrl(comp.url, location.href) ? h("a", { href: comp.url, target: "_blank", rel: "noopener", text: comp.url }) : comp.url);
  const card = h(
    "div.card",
    {},
    h("div.card-head", {}, h("h3", { text: name }), status ? chip(status.stage) : null, computeBadge(comp.compute), hostBadge(comp.placement)),
    meta,
  );
  if (status?.message) card.append(h("div.message", { text: status.message }));
  const vars = h("div.card", {}, h("h2", { text: "State" }), Object.keys(comp.vars).length ? jsonView(comp.vars) : h("div.empty", { text: "no public fields" }));
  return h("div.stack", {}, card, vars);
}
