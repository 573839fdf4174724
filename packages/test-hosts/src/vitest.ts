/**
 * The harness for a vitest file: hosts made before the file's tests and
 * removed after them. Where this machine cannot make them, every test of the
 * file is skipped with the reason, except under CI (CI=true), where that is
 * an error: CI runs as root with the tools, so the tests must run there.
 *
 * @example
 * import { useTestHosts } from "@lit-app/test-hosts/vitest";
 * const th = useTestHosts({ hosts: ["gpu-box", { name: "cpu-box", runtime: "none" }] });
 * it("reaches gpu-box", async () => {
 *   expect((await th().laptop.exec("ssh", ["gpu-box", "true"])).code).toBe(0);
 * });
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { TestHostsUnavailableError } from "./errors.ts";
import { whyNoTestHosts } from "./system.ts";
import { startTestHosts, type TestHosts, type TestHostsOptions } from "./test-hosts.ts";

/** Makes the hosts for the calling file's tests; the returned function gives them inside a test. */
export function useTestHosts(options: TestHostsOptions, timeoutMs = 120_000): () => TestHosts {
  let hosts: TestHosts | undefined;
  let skipped: string | undefined;
  beforeAll(async () => {
    const why = whyNoTestHosts();
    if (why !== undefined) {
      if (process.env.CI) throw new TestHostsUnavailableError(why);
      skipped = why;
      console.log(`skipping the test-host tests: ${why}`);
      return;
    }
    hosts = await startTestHosts(options);
  }, timeoutMs);
  afterAll(async () => {
    await hosts?.close();
  }, timeoutMs);
  beforeEach((ctx) => {
    if (skipped !== undefined) ctx.skip();
  });
  return () => {
    if (!hosts) throw new Error(`the test hosts are not up${skipped ? ` (${skipped})` : ""}`);
    return hosts;
  };
}
