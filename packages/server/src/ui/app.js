// @ts-check
/** The app's UI: component tree, layout tabs, component state and live logs. */
import { connect } from "../client/client.js";
import { renderDetails } from "./details.js";
import { h } from "./dom.js";
import { LogsView } from "./logs.js";
import { renderTree } from "./tree.js";
import { embeddableUrl, frameSandbox, quoteUrl } from "./urls.js";

/** @typedef {{ name: string, kind: string, url?: string, flow?: string, work?: string, message?: string, tabs?: Tab[] }} Tab */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const tree = $("tree");
const tabsBar = $("tabs");
const panel = $("panel");
const logs = new LogsView();

let selected = "root";
/** @type {Tab[]} */
let layout = [];
let active = "State";
/** @type {Record<string, string>} active sub-tab of each flow tab */
const subActive = {};
let panelKey = "";

const app = await connect(undefined, { logs: true, onError: (e) => console.error(e.message) });
/** @type {any} */ (window).litApp = app;

const appName = await app.fetch("/api/v1/layout").then((r) => r.json()).then((l) => {
  layout = l.tabs;
  if (layout.length) active = `layout:${0}`;
  return l.name;
});
$("app-name").textContent = appName;
document.title = `${appName} · lit-app`;

let frame = 0;
const schedule = () => (frame ||= requestAnimationFrame(render));
app.subscribe(schedule);
app.onLog((line) => logs.add(line));

let layoutTimer = 0;
app.subscribe(() => {
  // a flow's layout may depend on its state: look again, at most every 300 ms
  layoutTimer ||= window.setTimeout(async () => {
    layoutTimer = 0;
    const next = (await app.fetch("/api/v1/layout").then((r) => r.json())).tabs;
    if (JSON.stringify(next) !== JSON.stringify(layout)) {
      layout = next;
      schedule();
    }
  }, 300);
});

const conn = $("conn");
function showConnection() {
  conn.dataset.live = String(app.connected);
  conn.textContent = app.connected ? "live" : "reconnecting…";
}
setInterval(showConnection, 500);

function render() {
  frame = 0;
  showConnection();
  const doc = app.document;
  const stage = $("stage");
  stage.dataset.stage = doc.stage;
  stage.textContent = doc.stage.replace("_", " ");
  const works = Object.values(doc.components).filter((c) => c.kind === "work");
  const running = works.filter((w) => w.status?.stage === "running").length;
  $("summary").textContent = `${works.length} work${works.length === 1 ? "" : "s"} · ${running} running`;
  if (!doc.components[selected]) selected = "root";
  renderTree(tree, doc, selected, select);
  logs.setComponents(Object.keys(doc.components).sort());
  renderTabs();
  renderPanel();
}

/** @param {string} name */
function select(name) {
  selected = name;
  if (active !== "Logs") active = "State";
  else logs.setFilter(name);
  schedule();
}

function renderTabs() {
  const tab = (/** @type {string} */ key, /** @type {string} */ label, builtin = false) =>
    h(`button.tab${builtin ? ".builtin" : ""}`, { role: "tab", "aria-selected": active === key, "data-tab": label, onclick: () => ((active = key), schedule()) }, label);
  tabsBar.replaceChildren(...layout.map((t, i) => tab(`layout:${i}`, t.name)), tab("State", "State", true), tab("Logs", "Logs", true));
}

/** @returns {void} */
function renderPanel() {
  if (active === "Logs") return show("logs", () => logs.element, false);
  if (active === "State") return show(`state:${selected}:${Math.random()}`, () => renderDetails(app.document, selected), false);
  const t = layout[Number(active.split(":")[1])];
  if (!t) return ((active = "State"), renderPanel());
  renderTab(t, active);
}

/**
 * @param {Tab} t
 * @param {string} key
 * @param {HTMLElement | undefined} [sub]
 */
function renderTab(t, key, sub) {
  if (t.kind === "flow") {
    const inner = t.tabs ?? [];
    if (!inner.length) return show(`flow:${t.flow}:${Math.random()}`, () => renderDetails(app.document, /** @type {string} */ (t.flow)), false);
    const current = inner.find((x) => x.name === subActive[key]) ?? /** @type {Tab} */ (inner[0]);
    const bar = h("nav.subtabs", {}, ...inner.map((x) => h("button.tab", { "aria-selected": x === current, onclick: () => ((subActive[key] = x.name), schedule()) }, x.name)));
    return renderTab(current, `${key}/${current.name}`, bar);
  }
  if (t.kind === "invalid") return show(`invalid:${key}:${t.message}`, () => h("div.message", { text: t.message }), false, sub);
  if (!t.url) {
    return show(`wait:${key}`, () => h("div.empty", { text: `${t.work ?? t.name} does not serve a page yet; its tab opens when it does.` }), false, sub);
  }
  const url = embeddableUrl(t.url, location.href);
  if (!url) {
    const text = `This tab is not shown: its address ${quoteUrl(t.url)} is not an http: or https: address or a page of this app.`;
    return show(`refused:${key}:${t.url}`, () => h("div.message", { text, "data-testid": "tab-refused" }), false, sub);
  }
  const sandbox = frameSandbox(url, location.origin, t.kind === "frontend");
  show(`frame:${key}:${url.href}`, () => h("iframe", { src: url.href, sandbox, title: t.name, "data-testid": "tab-frame" }), true, sub);
}

/**
 * Puts content in the panel unless the same is already there (so that frames do not reload).
 * @param {string} key
 * @param {() => HTMLElement} make
 * @param {boolean} isFrame
 * @param {HTMLElement} [bar]
 */
function show(key, make, isFrame, bar) {
  if (key === panelKey) return;
  panelKey = key;
  panel.classList.toggle("frame", isFrame || Boolean(bar));
  const content = make();
  if (bar && !isFrame) content.classList.add("padded");
  panel.replaceChildren(...(bar ? [bar, content] : [content]));
}

render();
