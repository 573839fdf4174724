// @ts-check
/** Live logs: every line components print, filtered by component. */
import { h } from "./dom.js";

const MAX = 2000;

/** The logs panel; keeps receiving lines while hidden. */
export class LogsView {
  constructor() {
    /** @type {import("../client/client.js").LogEntry[]} */
    this.lines = [];
    /** @type {string} "" for every component */
    this.filter = "";
    this.list = h("div.logs", { "data-testid": "logs" });
    this.select = /** @type {HTMLSelectElement} */ (h("select", { "aria-label": "component", onchange: () => this.setFilter(this.select.value) }));
    this.element = h("div.stack.fill", {}, h("div.logs-bar", {}, h("h2", { text: "Logs" }), this.select), this.list);
  }

  /** @param {string[]} components */
  setComponents(components) {
    const wanted = ["", ...components];
    const have = [...this.select.options].map((o) => o.value);
    if (wanted.join("|") === have.join("|")) return;
    this.select.replaceChildren(...wanted.map((c) => h("option", { value: c, text: c || "all components" })));
    this.select.value = wanted.includes(this.filter) ? this.filter : "";
  }

  /** @param {string} component */
  setFilter(component) {
    this.filter = component;
    this.select.value = component;
    this.list.replaceChildren(...this.lines.filter((l) => this.shows(l)).map(row));
    this.list.scrollTop = this.list.scrollHeight;
  }

  /** @param {import("../client/client.js").LogEntry} log */
  add(log) {
    this.lines.push(log);
    if (this.lines.length > MAX) this.lines.splice(0, this.lines.length - MAX);
    if (!this.shows(log)) return;
    const atEnd = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    this.list.append(row(log));
    while (this.list.childElementCount > MAX) this.list.firstElementChild?.remove();
    if (atEnd) this.list.scrollTop = this.list.scrollHeight;
  }

  /** @param {import("../client/client.js").LogEntry} log */
  shows(log) {
    return !this.filter || log.component === this.filter || log.component.startsWith(this.filter + ".");
  }
}

/** @param {import("../client/client.js").LogEntry} log */
function row(log) {
  return h(
    "div.log",
    { "data-stream": log.stream },
    h("span.time", { text: new Date(log.time).toLocaleTimeString() }),
    h("span.who", { text: log.component }),
    h("span.line", { text: log.line }),
  );
}
