/**
 * Resolves flows' `configureLayout()` into plain tabs the UI shows: a child
 * flow (its own tabs, nested), a work's URL, an external URL, or a static
 * frontend served by this server under `/frontends/<flow>/<tab index>/`.
 */
import { LightningWork, StaticWebFrontend, type LayoutTab, type LightningFlow } from "@lit-app/core";
import { isFlow, type AppEngine } from "@lit-app/core/internal";
import { flowsOf } from "./handlers.ts";
import { embeddableUrl, quoteUrl } from "./ui/urls.js";

// relative URLs are the app's own paths, whatever host the UI is opened on
const APP_BASE = "http://app.localhost/";

/** One resolved tab. */
export type ResolvedTab =
  | { name: string; kind: "flow"; flow: string; tabs: ResolvedTab[] }
  | { name: string; kind: "work"; work: string; url: string }
  | { name: string; kind: "url"; url: string }
  | { name: string; kind: "frontend"; flow: string; url: string }
  | { name: string; kind: "invalid"; message: string };

/** A flow's tabs as it declares them, normalised to a list. */
export function layoutTabs(flow: LightningFlow): LayoutTab[] {
  const layout: unknown = flow.configureLayout();
  if (layout === undefined || layout === null) return [];
  const list = Array.isArray(layout) ? layout : [layout];
  return list.map((item: unknown, i) => {
    if (item && typeof item === "object" && "content" in item) {
      const tab = item as LayoutTab;
      return { name: typeof tab.name === "string" && tab.name ? tab.name : `Tab ${i + 1}`, content: tab.content };
    }
    return { name: i === 0 ? lastSegment(flow.name) : `Tab ${i + 1}`, content: item as LayoutTab["content"] };
  });
}

function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

/** Resolves the tabs of `flow`, recursively for child flows. */
export function resolveLayout(flow: LightningFlow, depth = 0): ResolvedTab[] {
  let tabs: LayoutTab[];
  try {
    tabs = layoutTabs(flow);
  } catch (error) {
    return [{ name: lastSegment(flow.name), kind: "invalid", message: `${flow.name}.configureLayout() threw: ${(error as Error).message}` }];
  }
  return tabs.map((tab, index): ResolvedTab => {
    const content = tab.content;
    if (isFlow(content)) {
      return { name: tab.name, kind: "flow", flow: content.name, tabs: depth < 8 ? resolveLayout(content, depth + 1) : [] };
    }
    if (content instanceof StaticWebFrontend) {
      return { name: tab.name, kind: "frontend", flow: flow.name, url: `/frontends/${encodeURIComponent(flow.name)}/${index}/` };
    }
    if (typeof content === "string") {
      if (embeddableUrl(content, APP_BASE)) return { name: tab.name, kind: "url", url: content };
      return { name: tab.name, kind: "invalid", message: refused(flow, tab.name, content) };
    }
    if (content instanceof LightningWork) {
      const url = content.url;
      if (url === "" || embeddableUrl(url, APP_BASE)) return { name: tab.name, kind: "work", work: content.name, url };
      return { name: tab.name, kind: "invalid", message: refused(flow, tab.name, url, content.name) };
    }
    return {
      name: tab.name,
      kind: "invalid",
      message: `${flow.name}.configureLayout(): the content of tab "${tab.name}" is not a flow, a work, a URL or a frontend such as new L.StaticWebFrontend(dir).`,
    };
  });
}

function refused(flow: LightningFlow, tab: string, url: string, work?: string): string {
  const whose = work ? `the URL of ${work}` : "its URL";
  return (
    `${flow.name}.configureLayout(): tab "${tab}" is not shown: ${whose}, ${quoteUrl(url)}, is not an http: or https: address or a path of the app. ` +
    `Only those are embedded, so that no script from state runs in the UI.`
  );
}

/** The app's layout: the root flow's tabs. */
export function appLayout(engine: AppEngine): ResolvedTab[] {
  return resolveLayout(engine.app.root);
}

/** The static frontend at `/frontends/<flow>/<index>/`, if there is one. */
export function findFrontend(engine: AppEngine, flowName: string, index: number): StaticWebFrontend | undefined {
  const flow = flowsOf(engine).find((f) => f.name === flowName);
  if (!flow) return undefined;
  const content = layoutTabs(flow)[index]?.content;
  return content instanceof StaticWebFrontend ? content : undefined;
}
