/** Prints each line a work prints, prefixed with its name and coloured per component. */
import type { LogLine } from "@lit-app/core/internal";

const COLORS = [36, 35, 33, 32, 34, 91, 96, 95, 93, 92, 94];

/** Returns a printer that writes `name | line` to the given writers. */
export function logPrinter(
  write: { stdout: (text: string) => void; stderr: (text: string) => void },
  color: boolean,
): (line: LogLine) => void {
  const assigned = new Map<string, number>();
  return (line) => {
    let code = assigned.get(line.work);
    if (code === undefined) {
      code = COLORS[assigned.size % COLORS.length] as number;
      assigned.set(line.work, code);
    }
    const prefix = color ? `\x1b[${code}m${line.work} |\x1b[0m` : `${line.work} |`;
    (line.stream === "stderr" ? write.stderr : write.stdout)(`${prefix} ${line.line}\n`);
  };
}
