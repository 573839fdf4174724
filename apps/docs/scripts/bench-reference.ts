/** reference/parts/bench-suites.md: the benchmark suites `npm run bench` runs, from bench/suites.ts. */
import { SUITES } from "../../../bench/suites.ts";
import { GENERATED } from "./paths.ts";
import { writeGenerated } from "./write-file.ts";

/** Writes the table of suites the benchmarks page includes. */
export function writeBenchSuites(): void {
  const rows = SUITES.map((s) => `| \`${s.id}\` | ${s.title.replace(/\|/g, "\\|")} |`);
  writeGenerated(GENERATED.suites, ["| Suite | What it measures |", "| --- | --- |", ...rows, ""].join("\n"));
}
