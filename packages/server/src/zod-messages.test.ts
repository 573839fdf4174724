/**
 * The server's own schemas are built with zod/mini, which sets no locale of its own: a bad delta
 * is still answered in zod's English, with no `zod` loaded in this file.
 */
import { expect, it } from "vitest";
import { BadRequest, validate } from "./responses.ts";
import { DeltaSchema } from "./state-routes.ts";

it("a delta that does not match is refused with zod's English message and its issues", () => {
  let error: unknown;
  try {
    validate(DeltaSchema, { patch: [{ op: "push", path: 1 }] }, "delta (POST /api/v1/delta)");
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(BadRequest);
  expect((error as BadRequest).message).toBe(
    'invalid delta (POST /api/v1/delta):\n✖ Invalid option: expected one of "add"|"remove"|"replace"|"test"|"move"|"copy"\n  → at patch[0].op\n' +
      "✖ Invalid input: expected string, received number\n  → at patch[0].path",
  );
  expect((error as BadRequest).issues).toMatchObject([{ code: "invalid_value", path: ["patch", 0, "op"] }, { code: "invalid_type", path: ["patch", 0, "path"] }]);
});
