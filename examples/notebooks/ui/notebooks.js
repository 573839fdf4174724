// The notebooks page: reads the manager's state through the browser client and changes it.
import { connect } from "/client.js";

const app = await connect();
const $ = (id) => document.getElementById(id);

$("create").addEventListener("submit", (event) => {
  event.preventDefault();
  const username = $("username").value.trim();
  if (app.state.requests.some((r) => r.username === username)) {
    $("error").textContent = `${username} already has a notebook.`;
    return;
  }
  $("error").textContent = "";
  // Assigning the field sends the change to the app, which creates the work.
  app.state.requests = [...app.state.requests, { username, useGpu: $("gpu").checked, url: null, stop: false }];
  app.flush().catch((error) => ($("error").textContent = error.message));
  $("username").value = "";
});

function cell(content) {
  const td = document.createElement("td");
  if (content instanceof Node) td.append(content);
  else td.textContent = content;
  return td;
}

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** `raw` as a link target when it is an http(s) URL; anything else (`javascript:`, `data:`) is not linked. */
function httpUrl(raw) {
  try {
    const url = new URL(String(raw), location.href);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function link(raw) {
  if (!raw) return "starting…";
  const href = httpUrl(raw);
  return href ? el("a", { href, target: "_blank", rel: "noopener" }, "open") : el("span", { class: "refused" }, "not an http(s) URL");
}

function render() {
  const requests = app.state.requests;
  const rows = [...requests].map((request, index) => {
    const work = app.document.components[`root.notebooks.${request.username}`];
    const stage = request.url ? work?.status?.stage ?? "pending" : "pending";
    const tr = el("tr", { "data-user": request.username });
    const stop = el("button", { class: "stop", type: "button" }, "Stop");
    stop.addEventListener("click", () => {
      stop.disabled = true;
      app.state.requests[index].stop = true;
    });
    tr.append(
      cell(String(index)),
      cell(request.username),
      cell(el("span", { class: "hw", "data-gpu": String(request.useGpu) }, request.useGpu ? "gpu" : "cpu-small")),
      cell(el("span", { class: "chip", "data-stage": stage }, stage)),
      cell(link(request.url)),
      cell(request.url ? stop : ""),
    );
    return tr;
  });
  $("list").replaceChildren(...rows);
  $("empty").hidden = rows.length > 0;
}

app.subscribe(render);
render();
