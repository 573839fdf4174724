import { describe, expect, test } from "vitest";
import { embeddableUrl, frameSandbox } from "./urls.js";

const UI = "http://127.0.0.1:7501/";

describe("the UI's URL rule", () => {
  test("embeds http(s) URLs and the app's paths, resolved as the browser would", () => {
    expect(embeddableUrl("https://example.com/a?b#c", UI)?.href).toBe("https://example.com/a?b#c");
    expect(embeddableUrl("http://127.0.0.1:8888", UI)?.href).toBe("http://127.0.0.1:8888/");
    expect(embeddableUrl("/frontends/root/0/", UI)?.href).toBe("http://127.0.0.1:7501/frontends/root/0/");
    expect(embeddableUrl("HTTPS://EXAMPLE.COM", UI)?.href).toBe("https://example.com/");
  });

  test("refuses every other scheme, however it is spelled, and what is not a URL", () => {
    for (const raw of [
      "javascript:alert(1)",
      " JavaScript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "\u0000javascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "blob:http://127.0.0.1:7501/x",
      "file:///etc/passwd",
      "vbscript:x",
      "about:blank",
      "http://[oops",
      "",
      "   ",
      42,
      null,
    ]) {
      expect(embeddableUrl(raw, UI), JSON.stringify(raw)).toBeUndefined();
    }
  });

  test("sandboxes frames: the app's frontends keep its origin, other origins their own, other pages of the app none", () => {
    const sandbox = (raw: string, frontend = false) => frameSandbox(embeddableUrl(raw, UI)!, new URL(UI).origin, frontend).split(" ");
    expect(sandbox("/frontends/root/0/", true)).toContain("allow-same-origin");
    expect(sandbox("/api/v1/state")).not.toContain("allow-same-origin");
    expect(sandbox("/api/v1/state", true)).not.toContain("allow-same-origin");
    expect(sandbox("http://127.0.0.1:8888/")).toEqual(expect.arrayContaining(["allow-scripts", "allow-same-origin", "allow-popups-to-escape-sandbox"]));
    for (const s of [sandbox("/frontends/root/0/", true), sandbox("https://example.com/"), sandbox("/x")]) {
      expect(s).toContain("allow-scripts");
      expect(s.some((flag) => flag.startsWith("allow-top-navigation"))).toBe(false);
    }
  });
});
