import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { authorizedKeyLine, makeAppKey } from "./app-key.ts";

describe("an app's SSH key", () => {
  it("is always one the flow's host can read (ssh2's generator sometimes writes one its parser refuses)", () => {
    for (let i = 0; i < 1000; i++) {
      const key = makeAppKey("wf");
      const parsed = ssh2.utils.parseKey(key.privateKey);
      expect(parsed instanceof Error ? parsed.message : "read").toBe("read");
      expect(key.publicKey).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+$/);
    }
  });

  it("is allowed to forward to the agent's port only, marked with the app's name", () => {
    const key = makeAppKey("wf");
    expect(authorizedKeyLine(key, 4242, "wf")).toBe(`restrict,port-forwarding,permitopen="127.0.0.1:4242",command="/bin/false" ${key.publicKey} lit-app:wf`);
  });
});
