// The host-lost limit as a user sets it: --host-lost-after <seconds>, or LIT_HOST_LOST_AFTER.
import { afterEach, describe, expect, it } from "vitest";
import { HOST_LOST_ENV, hostLost, parseHostLostAfter } from "./host-lost.ts";

afterEach(() => {
  delete process.env[HOST_LOST_ENV];
});

describe("the host-lost limit", () => {
  it("takes seconds, whole or not, greater than 0", () => {
    expect(parseHostLostAfter("120")).toBe(120_000);
    expect(parseHostLostAfter("2.5")).toBe(2500);
    for (const bad of ["0", "-1", "10m", "", "1e3", "abc"]) expect(parseHostLostAfter(bad), bad).toBeUndefined();
  });

  it("prefers the option, then LIT_HOST_LOST_AFTER, else leaves the executor's default", () => {
    expect(hostLost(undefined)).toEqual({});
    process.env[HOST_LOST_ENV] = "30";
    expect(hostLost(undefined)).toEqual({ hostLostMs: 30_000 });
    expect(hostLost(5000)).toEqual({ hostLostMs: 5000 });
    process.env[HOST_LOST_ENV] = "ten minutes";
    expect(() => hostLost(undefined)).toThrow(/LIT_HOST_LOST_AFTER must be a number of seconds greater than 0.*"ten minutes"/);
  });
});
