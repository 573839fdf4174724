/**
 * `npm run reference` (run by `npm run build` before `vitepress build`): writes the generated
 * reference pages, so that they come from the source and cannot drift from it: reference/api/
 * (TypeDoc), reference/cli.md (the CLI's definition), reference/rest.md and public/openapi.json
 * (the server's routes and zod schemas), reference/parts/bench-suites.md (bench/suites.ts).
 */
import { writeApiReference } from "./api-reference.ts";
import { writeBenchSuites } from "./bench-reference.ts";
import { writeCliReference } from "./cli-reference.ts";
import { writeRestReference } from "./rest-reference.ts";

const started = Date.now();
writeCliReference();
writeRestReference();
writeBenchSuites();
await writeApiReference();
console.log(`docs reference written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
