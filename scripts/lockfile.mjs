/**
 * The lockfile holds every platform's optional packages: for each locked
 * package, each of its `optionalDependencies` (bun's, deno's, esbuild's,
 * rollup's and turbo's binaries for darwin, linux and win32) has its own entry,
 * so that `npm ci` installs on Linux and macOS alike. An `npm install` run on
 * one platform may drop the others' entries; then `npm ci` elsewhere refuses
 * the lockfile. Run by `npm run lint` and by CI before `npm ci`.
 *
 * `node scripts/lockfile.mjs [package-lock.json]` prints what is missing and exits 1.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** `<package>: <optional dependency>` for each optional dependency the lockfile has no entry for. */
export function missingOptionalPackages(lock) {
  const packages = lock.packages ?? {};
  const missing = [];
  for (const [path, entry] of Object.entries(packages)) {
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      // npm looks for a dependency in the nearest node_modules above the package, up to the root
      let dir = path;
      let found = false;
      for (;;) {
        if (packages[`${dir ? `${dir}/` : ""}node_modules/${dep}`]) {
          found = true;
          break;
        }
        const at = dir.lastIndexOf("/node_modules/");
        if (dir === "") break;
        dir = at >= 0 ? dir.slice(0, at) : "";
      }
      if (!found) missing.push(`${path || "(root)"}: ${dep}`);
    }
  }
  return missing;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "package-lock.json");
  const missing = missingOptionalPackages(JSON.parse(readFileSync(file, "utf8")));
  if (missing.length) {
    console.error(`${file} lacks ${missing.length} platform package(s), so npm ci would refuse it on some platforms:`);
    for (const m of missing) console.error(`  ${m}`);
    // npm/cli#4828: an install over an existing node_modules may leave other platforms' packages out
    console.error("Regenerate it without node_modules, which records every platform: rm -rf node_modules package-lock.json && npm install; then run this again.");
    process.exit(1);
  }
  console.log(`${file}: every platform's optional packages are locked`);
}
