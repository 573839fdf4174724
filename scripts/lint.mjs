/**
 * `npm run lint`: the repository's source rules, in plain Node.
 * - packages/core/src (tests excepted) imports nothing runtime-specific and owns no timers;
 * - no package declares an `enum`.
 * Prints `file:line: problem` for each finding and exits 1 if there is any.
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkEnums, checkPurity } from "./source-rules.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const problems = [];

const coreSrc = join(root, "packages", "core", "src");
if (existsSync(coreSrc)) {
  for (const p of checkPurity(coreSrc, root)) problems.push(`${p} [core purity]`);
}
for (const pkg of readdirSync(join(root, "packages")).sort()) {
  const src = join(root, "packages", pkg, "src");
  if (existsSync(src)) problems.push(...checkEnums(src, root));
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`\nlint: ${problems.length} problem(s).`);
  process.exit(1);
}
console.log("lint: ok (core purity, no enums)");
