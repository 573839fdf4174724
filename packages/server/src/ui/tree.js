// @ts-check
/** The component tree: flows and works nested by their dotted names, with live status and compute. */
import { chip, computeBadge, h, hostBadge, shortName } from "./dom.js";
import { embeddableUrl } from "./urls.js";

/**
 * @typedef {import("../client/client.js").StateDocument} StateDocument
 */

/**
 * Renders the tree into `root`.
 * @param {HTMLElement} root
 * @param {StateDocument} doc
 * @param {string} selected
 * @param {(name: string) => void} onSelect
 */
export function renderTree(root, doc, selected, onSelect) {
  const names = Object.keys(doc.components).sort(byTree);
  /** @type {Map<string, HTMLElement>} */
  const lists = new Map();
  const top = h("ul.tree", { role: "tree" });
  for (const name of names) {
    const comp = /** @type {any} */ (doc.components[name]);
    const parent = parentOf(name, doc);
    const list = (parent && lists.get(parent)) || top;
    const row = h(
      "div.node",
      { role: "treeitem", "aria-selected": name === selected, "data-name": name, title: name, onclick: () => onSelect(name) },
      h("span.kind", { text: comp.kind === "flow" ? "◆" : "●" }),
      h("span.label", { text: name === "root" ? "root" : shortName(name) }),
      comp.kind === "work" && embeddableUrl(comp.url, location.href) ? h("a.link", { href: comp.url, target: "_blank", rel: "noopener", title: comp.url, text: "↗", onclick: (/** @type {Event} */ e) => e.stopPropagation() }) : null,
      comp.kind === "work" ? computeBadge(comp.compute) : null,
      comp.kind === "work" ? hostBadge(comp.placement) : null,
      comp.kind === "work" && comp.status ? chip(comp.status.stage) : null,
    );
    const children = h("ul", { role: "group" });
    lists.set(name, children);
    list.append(h("li", {}, row, children));
  }
  for (const ul of lists.values()) if (!ul.childElementCount) ul.remove();
  root.replaceChildren(...top.childNodes);
}

/**
 * The nearest component above `name` (Dict and List names are skipped).
 * @param {string} name
 * @param {StateDocument} doc
 */
function parentOf(name, doc) {
  let p = name;
  while (p.includes(".")) {
    p = p.slice(0, p.lastIndexOf("."));
    if (doc.components[p]) return p;
  }
  return undefined;
}

/**
 * Parents before children, siblings in name order.
 * @param {string} a
 * @param {string} b
 */
function byTree(a, b) {
  const pa = a.split(".");
  const pb = b.split(".");
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return /** @type {string} */ (pa[i]).localeCompare(/** @type {string} */ (pb[i]), undefined, { numeric: true });
  }
  return pa.length - pb.length;
}
