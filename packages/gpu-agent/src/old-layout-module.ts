/**
 * Files of older versions that nothing reads any more, removed when the agent
 * starts: `<lit home>/apps/<name>`, where the works of `lit run --host` kept
 * their storage roots before they moved into the agent's storage root
 * (`<lit home>/storage/apps/<name>`). Removed in the background: the agent
 * does not wait for it, and a failure leaves the folder as it was.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { AgentModule } from "./module.ts";

/** The folders of the lit home that older versions made and this one does not use. */
export function oldLayoutFolders(home: string): string[] {
  return [join(home, "apps")];
}

/** The module that removes {@link oldLayoutFolders} at start. */
export function oldLayoutModule(): AgentModule {
  return {
    name: "old-layout",
    start(ctx) {
      const removed = Promise.all(oldLayoutFolders(ctx.paths.home).map((dir) => rm(dir, { recursive: true, force: true }).catch(() => undefined)));
      return { close: async () => void (await removed) };
    },
  };
}
