/**
 * Sends what a work prints to the flow's side, a line at a time, where it is
 * shown prefixed with the work's name.
 */
import { format } from "node:util";

type Stream = "stdout" | "stderr";

const METHODS: Record<string, Stream> = {
  log: "stdout",
  info: "stdout",
  debug: "stdout",
  warn: "stderr",
  error: "stderr",
  trace: "stderr",
};

/** Replaces the console's printing methods with ones that call `emit` per line. */
export function captureConsole(emit: (stream: Stream, line: string) => void): void {
  const target = console as unknown as Record<string, (...args: unknown[]) => void>;
  for (const [method, stream] of Object.entries(METHODS)) {
    target[method] = (...args: unknown[]) => {
      let text = format(...args);
      if (method === "trace") text = `Trace: ${text}\n${new Error().stack?.split("\n").slice(2).join("\n") ?? ""}`;
      for (const line of text.split("\n")) emit(stream, line);
    };
  }
}
