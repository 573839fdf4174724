/**
 * `import * as L from "lit-app"` is the public API of the README and nothing
 * more: a new export is a decision, made here, not a side effect of an
 * `export *`. The plumbing the packages share is in `@lit-app/core/internal`.
 */
import { describe, expect, it } from "vitest";

/** What a user writes `L.` in front of, as the README and the examples use it. */
const PUBLIC = {
  components: ["LightningApp", "LightningFlow", "LightningWork", "CommandWork", "Dict", "List", "CloudCompute"],
  storage: ["Path", "Drive", "Payload"],
  api: ["Get", "Post", "Put", "Delete", "HttpError", "Command", "StaticWebFrontend"],
  helpers: ["onWorkStop", "isControlSignal"],
  errors: [
    "LitError",
    "AppStateError",
    "CallArgumentError",
    "ComponentError",
    "ComputeError",
    "CronError",
    "FlowFailedError",
    "PatchError",
    "ReservedFieldError",
    "StateLimitError",
    "StateShapeError",
    "StateValueError",
    "WorkClassError",
    "WorkFailedError",
    "WorkOptionError",
    "WorkStoppedError",
    "JournalError",
    "PathError",
    "MissingPathError",
    "StorageUnavailableError",
    "DriveError",
    "DriveConflictError",
    "DriveNotFoundError",
    "DriveOwnershipError",
    "PayloadError",
    "CommandOptionError",
    "CommandStartError",
    "CommandNotFoundError",
    "CommandFailedError",
  ],
};
const LIT_APP_ONLY = ["CommandWork", "CommandOptionError", "CommandStartError", "CommandNotFoundError", "CommandFailedError"];

describe("the public surface", () => {
  it("lit-app exports the public API and nothing more", async () => {
    const L = await import("lit-app");
    expect(Object.keys(L).sort()).toEqual(Object.values(PUBLIC).flat().sort());
  });

  it("@lit-app/core exports the same API without lit-app's own command works", async () => {
    const core = await import("@lit-app/core");
    const expected = Object.values(PUBLIC).flat().filter((name) => !LIT_APP_ONLY.includes(name));
    expect(Object.keys(core).sort()).toEqual(expected.sort());
  });

  it("the plumbing is behind @lit-app/core/internal, not on L", async () => {
    const L: Record<string, unknown> = await import("lit-app");
    const internal = await import("@lit-app/core/internal");
    for (const name of ["AppEngine", "loadWork", "applyVarOp", "WorkRunner", "encodeState", "serializeError"] as const) {
      expect(internal[name], name).toBeTypeOf("function");
      expect(L[name], name).toBeUndefined();
    }
    const runner = await import("lit-app/internal");
    expect(Object.keys(runner).sort()).toEqual(["openFileJournal", "readJournal", "runApp", "startApp", "systemClock"]);
  });
});
