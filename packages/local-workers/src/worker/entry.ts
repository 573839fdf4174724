/** The program of a work's thread on Bun and Deno (on Node, a bundle of boot.ts and the app runs instead). */
import { bootWorker } from "./boot.ts";

await bootWorker();
