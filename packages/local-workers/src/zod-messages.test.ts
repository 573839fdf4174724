/**
 * The protocol's schemas are built with zod/mini, which sets no locale of its own: what a bad
 * message is said to lack still reads in zod's English, with no `zod` loaded in this file.
 */
import { expect, it } from "vitest";
import { workToFlow } from "./protocol.ts";

it("a message missing its envelope is described in zod's English, field by field", () => {
  const parsed = workToFlow.safeParse({ type: "started", seq: 1.5, callId: "" });
  expect(parsed.success).toBe(false);
  expect(parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
    "incarnation: Invalid input: expected string, received undefined",
    "seq: Invalid input: expected int, received number",
    "callId: Too small: expected string to have >=1 characters",
  ]);
});
