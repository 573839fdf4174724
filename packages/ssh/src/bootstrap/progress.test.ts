import { describe, expect, it } from "vitest";
import { terminalProgress } from "./progress.ts";

/** Collects what the bar writes, as a terminal would receive it. */
function screen() {
  const chunks: string[] = [];
  const stream = { write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, chunks };
}

describe("terminalProgress", () => {
  it("redraws one line with percent and MiB, at most 10 times a second, and ends it with a newline", () => {
    const { stream, chunks } = screen();
    const bar = terminalProgress("gpu-box", stream);
    const total = 100 << 20;
    for (let sent = 1 << 20; sent <= total; sent += 1 << 20) bar({ kind: "upload", what: "Bun 1.4.5", sent, total });
    bar({ kind: "uploaded", what: "Bun 1.4.5", bytes: total, ms: 2000 });
    // 100 updates in a few milliseconds: the first and the last are drawn.
    expect(chunks.length).toBeLessThanOrEqual(4);
    expect(chunks[0]).toMatch(/^\r\[ssh\] gpu-box: Bun 1\.4\.5 \[#?\.{29,30}\]\s+1% 1\.0\/100\.0 MiB/);
    expect(chunks.at(-2)).toMatch(/\[#{30}\] 100% 100\.0\/100\.0 MiB/);
    expect(chunks.at(-1)).toBe("\r[ssh] gpu-box: Bun 1.4.5 sent (100.0 MiB in 2.0 s)\x1b[K\n");
  });
});
