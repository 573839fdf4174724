// The program of a work's thread on Node: TypeScript is loaded through tsx.
import { register } from "tsx/esm/api";

register();
await import("./entry.ts");
