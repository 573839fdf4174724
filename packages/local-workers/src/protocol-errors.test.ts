/** A work's error crosses to the flow with its code and its causes (the protocol's schema keeps them). */
import { serializeError } from "@lit-app/core/internal";
import { describe, expect, it } from "vitest";
import { workToFlow } from "./protocol.ts";

describe("a failed call's error on the wire", () => {
  it("keeps the code and the cause chain that serializeError gives", () => {
    const root = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    const error = serializeError(new Error("saving the checkpoint failed", { cause: root }));
    const wire = JSON.parse(JSON.stringify({ type: "failed", incarnation: "i-1", seq: 3, callId: "b.7", error }));
    const parsed = workToFlow.parse(wire);
    expect(parsed).toEqual({ type: "failed", incarnation: "i-1", seq: 3, callId: "b.7", error });
    expect(parsed.type === "failed" && parsed.error.cause?.code).toBe("ENOSPC");
  });

  it("refuses a cause that is not an error description", () => {
    const wire = { type: "failed", incarnation: "i-1", seq: 1, callId: "b.1", error: { name: "Error", message: "x", cause: { message: 3 } } };
    expect(workToFlow.safeParse(wire).success).toBe(false);
  });
});
