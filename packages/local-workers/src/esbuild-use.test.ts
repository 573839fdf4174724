import { describe, expect, it } from "vitest";

type Use = typeof import("./esbuild-use.ts");

/** A build of a one-line module, held in its plugin until `gate` resolves. */
function build(use: Use, gate: Promise<void>): Promise<string> {
  return use.withEsbuild(async (esbuild) => {
    const result = await esbuild.build({
      stdin: { contents: "export const x = 1;", loader: "ts" },
      write: false,
      format: "esm",
      plugins: [{ name: "hold", setup: (b) => b.onStart(() => gate.then(() => undefined)) }],
    });
    return result.outputFiles[0]!.text;
  });
}

describe("esbuild's service shared by several copies of withEsbuild", () => {
  it("is not stopped by one copy while a build of another copy runs", async () => {
    // Two module instances, as two packages (or a bundle and a package) each have their own copy.
    const a = (await import("./esbuild-use.ts?copy=a" as string)) as Use;
    const b = (await import("./esbuild-use.ts?copy=b" as string)) as Use;
    expect(a).not.toBe(b);
    let release!: () => void;
    const held = build(a, new Promise<void>((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 200));
    expect(await build(b, Promise.resolve())).toContain("x = 1");
    release();
    const outcome = await Promise.race([held, new Promise<string>((r) => setTimeout(() => r("still waiting after 10 s"), 10_000))]);
    expect(outcome).toContain("x = 1");
  }, 30_000);
});
