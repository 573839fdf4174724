/**
 * `npm run lint`: the repository's source rules, in plain Node.
 * - packages/core/src (tests excepted) imports nothing runtime-specific and owns no timers;
 * - no package declares an `enum`;
 * - the lockfile holds every platform's optional packages (scripts/lockfile.mjs).
 * Prints `file:line: problem` for each finding and exits 1 if there is any.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { missingOptionalPackages } from "./lockfile.mjs";
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
for (const m of missingOptionalPackages(JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")))) {
  problems.push(`package-lock.json: no entry for ${m} (npm ci would refuse it on that platform; see scripts/lockfile.mjs)`);
}

if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`\nlint: ${problems.length} problem(s).`);
  process.exit(1);
}
console.log("lint: ok (core purity, no enums, every platform's packages locked)");
