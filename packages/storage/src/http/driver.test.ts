import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDriver } from "../testing/index.ts";
import { serveStorage } from "../test-support/storage-server.ts";
import { httpDriver } from "./driver.ts";

testDriver("http", async () => {
  const dir = await mkdtemp(join(tmpdir(), "lit-http-driver-"));
  const server = await serveStorage(dir);
  return {
    driver: httpDriver({ url: server.url, token: server.token, name: "agent" }),
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
