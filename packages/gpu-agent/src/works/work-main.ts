/** The default work program: a work's process that imports the app's module by its URL (see work-process.ts). */
import { runWorkProcess } from "./work-process.ts";

await runWorkProcess();
