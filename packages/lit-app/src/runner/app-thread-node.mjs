// The app's thread on Node. Worker threads do not inherit the TypeScript loader of the thread that started
// them: this one registers tsx, with source maps on so that stacks name the app's .ts lines.
import process from "node:process";
import { register } from "tsx/esm/api";

process.setSourceMapsEnabled?.(true);
register();
await import("./app-thread.ts");
