/** The server's errors are lit-app errors: one base class, one shape, whatever package raised them. */
import { LitError } from "@lit-app/core";
import { serializeError } from "@lit-app/core/internal";
import { describe, expect, it } from "vitest";
import { PortInUseError, RemoteError, ServerError } from "./errors.ts";

describe("ServerError", () => {
  it("is a LitError with the server's code, its own name, and the cause it was given", () => {
    const cause = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:7501"), { code: "EADDRINUSE" });
    const error: unknown = new PortInUseError("port 7501 is taken: pass --port 0 to take any free port.", cause);
    expect(error).toBeInstanceOf(LitError);
    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ name: "PortInUseError", code: "E_SERVER_PORT", cause });
  });

  it("crosses a thread or process like any other lit-app error: code and cause kept", () => {
    const out = serializeError(new RemoteError(409, "the app is stopping", "E_APP_STATE"));
    expect(out).toMatchObject({ name: "RemoteError", code: "E_REMOTE", message: "the app is stopping" });
    const wrapped = serializeError(new PortInUseError("no port", Object.assign(new Error("in use"), { code: "EADDRINUSE" })));
    expect(wrapped.cause).toMatchObject({ code: "EADDRINUSE", message: "in use" });
  });
});
