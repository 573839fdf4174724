/** The docs site (VitePress). The guide's sidebar is read from guide/*.md (guide-pages.ts). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitepress";
import { guidePages } from "./guide-pages.ts";

const docs = fileURLToPath(new URL("..", import.meta.url));
const guide = guidePages(join(docs, "guide"));
const hasIndex = existsSync(join(docs, "guide/index.md"));
const guideItems = [
  ...(hasIndex ? [{ text: "Overview", link: "/guide/" }] : []),
  ...guide.map((page) => ({ text: page.title, link: page.link })),
];

export default defineConfig({
  title: "lit-app",
  description: "Workflows and full-stack AI apps in TypeScript, out of flows and works, on your laptop or your own GPU machines.",
  base: "/",
  head: [["link", { rel: "icon", type: "image/svg+xml", href: "/favicon.svg" }]],
  cleanUrls: false,
  lastUpdated: false,
  // Not pages: the README (how to build this site), the examples' folders, the reference's included parts.
  srcExclude: ["README.md", "examples/**", "reference/parts/**", "src/**", "scripts/**"],
  // A page whose HTML differs from what the browser renders says where (the site's test fails on it).
  vite: { define: { __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "true" } },
  themeConfig: {
    nav: [
      { text: "Guide", link: hasIndex ? "/guide/" : (guide[0]?.link ?? "/guide/"), activeMatch: "^/guide/" },
      { text: "Reference", link: "/reference/", activeMatch: "^/reference/" },
    ],
    sidebar: {
      "/guide/": [{ text: "Guide", items: guideItems }],
      "/reference/": [
        {
          text: "Reference",
          items: [
            { text: "Overview", link: "/reference/" },
            { text: "API of lit-app", link: "/reference/api/" },
            { text: "The lit command", link: "/reference/cli" },
            { text: "REST API", link: "/reference/rest" },
            { text: "Benchmarks", link: "/reference/benchmarks" },
          ],
        },
      ],
    },
    search: { provider: "local" },
    outline: { level: [2, 3] },
  },
});
