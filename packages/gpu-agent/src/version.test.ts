import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { AGENT_VERSION } from "./version.ts";

it("is the package's version", () => {
  expect(AGENT_VERSION).toBe(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version);
});
