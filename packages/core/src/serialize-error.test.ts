/** serializeError: what of an error crosses a thread, a process or a network. */
import { describe, expect, it } from "vitest";
import { LitError, PatchError, serializeError } from "./errors.ts";

describe("serializeError", () => {
  it("keeps a LitError's code, and a Node error's", () => {
    const out = serializeError(new PatchError('cannot replace "/a": no such field'));
    expect(out).toMatchObject({ name: "PatchError", code: "E_PATCH", message: 'cannot replace "/a": no such field' });
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open 'data.csv'"), { code: "ENOENT" });
    expect(serializeError(enoent).code).toBe("ENOENT");
    expect(serializeError(Object.assign(new Error("x"), { code: 42 }))).not.toHaveProperty("code");
  });

  it("keeps the cause, its code and its own cause, and survives a JSON round trip", () => {
    const root = Object.assign(new Error("ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    const middle = new TypeError("the database is not reachable", { cause: root });
    const top = new LitError("E_WORK_FAILED", "root.loader failed", { cause: middle });
    const out = JSON.parse(JSON.stringify(serializeError(top)));
    expect(out.code).toBe("E_WORK_FAILED");
    expect(out.cause).toMatchObject({ name: "TypeError", message: "the database is not reachable" });
    expect(out.cause.cause).toMatchObject({ name: "Error", code: "ECONNREFUSED", message: "ECONNREFUSED 127.0.0.1:5432" });
    expect(out.cause.cause.stack).toContain("serialize-error.test.ts");
    expect(out.cause.cause).not.toHaveProperty("cause");
  });

  it("describes a cause that is not an Error", () => {
    expect(serializeError(new Error("failed", { cause: "the disk is full" })).cause).toEqual({ name: "Error", message: "the disk is full" });
  });

  it("cuts a cause chain that loops, and one deeper than 8", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    const out = serializeError(a);
    expect(out.cause?.message).toBe("b");
    expect(out.cause).not.toHaveProperty("cause");

    let deep = new Error("0");
    for (let i = 1; i < 20; i++) deep = new Error(String(i), { cause: deep });
    let depth = 0;
    for (let at: ReturnType<typeof serializeError> | undefined = serializeError(deep); at; at = at.cause) depth++;
    expect(depth).toBe(9);
  });

  it("a subclass with its own codes is a LitError", () => {
    class OtherError extends LitError<"E_OTHER"> {
      constructor(message: string) {
        super("E_OTHER", message);
      }
    }
    const error: unknown = new OtherError("other");
    expect(error).toBeInstanceOf(LitError);
    expect(error).toMatchObject({ name: "OtherError", code: "E_OTHER" });
  });
});
