/**
 * What every bench module shares: the row it returns (a figure beside a
 * baseline measured in the same run), the suite it registers in suites.ts,
 * the options it runs with, and small timing helpers.
 */

/** One printed figure and its baseline. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  baselineName: string;
  baseline: number;
  note?: string;
}

/**
 * How a suite runs. `tiny` runs every step once at a small size, in seconds:
 * its figures mean nothing, but a change that breaks the benchmark shows
 * (`npm run bench -- --tiny`, and bench/suites.test.ts in `npm test`).
 */
export interface BenchOptions {
  tiny: boolean;
}

/** The full-size run, what `npm run bench` measures. */
export const FULL: BenchOptions = { tiny: false };

/** A group of figures; register it in bench/suites.ts. */
export interface BenchSuite {
  /** Short id, used to pick suites: `npm run bench -- core`. */
  id: string;
  title: string;
  run(options: BenchOptions): Promise<BenchRow[]>;
}

/** The median of some numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Formats a number with 3 significant digits (more for large numbers). */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (Math.abs(n) >= 100) return n.toFixed(0);
  return n.toPrecision(3);
}

/** `value / baseline` as `1.23×`. */
export function ratio(value: number, baseline: number): string {
  return baseline > 0 && Number.isFinite(value) ? `${(value / baseline).toFixed(2)}×` : "n/a";
}

/** Prints rows as an aligned table: figure | value | baseline | ratio | note. */
export function printTable(title: string, rows: readonly BenchRow[]): void {
  const table = [
    ["figure", "value", "baseline", "baseline value", "ratio", "note"],
    ...rows.map((r) => [r.name, `${fmt(r.value)} ${r.unit}`, r.baselineName, `${fmt(r.baseline)} ${r.unit}`, ratio(r.value, r.baseline), r.note ?? ""]),
  ];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  console.log(`\n## ${title}\n`);
  console.log(line(table[0]!));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const row of table.slice(1)) console.log(line(row));
}

/**
 * What is wrong with a suite's rows, one line each: no rows, or a value or
 * baseline that is not a finite number (a figure printed as "n/a").
 */
export function rowProblems(rows: readonly BenchRow[]): string[] {
  if (rows.length === 0) return ["the suite returned no figures"];
  const problems: string[] = [];
  for (const r of rows) {
    if (!Number.isFinite(r.value)) problems.push(`"${r.name}": the value is ${String(r.value)}${r.note ? ` (${r.note})` : ""}`);
    if (!Number.isFinite(r.baseline)) problems.push(`"${r.name}": the baseline "${r.baselineName}" is ${String(r.baseline)}${r.note ? ` (${r.note})` : ""}`);
  }
  return problems;
}

/**
 * The environment for a bench's child processes (apps, runtimes, tools):
 * this process's, with `extra`, and without the test runner's variables, so
 * that an app run from bench/suites.test.ts starts as it does for a user
 * (lit-app does not start apps by itself under VITEST).
 */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && key !== "VITEST" && !key.startsWith("VITEST_")) env[key] = value;
  }
  return { ...env, ...extra };
}
