/** Where the docs site's sources and generated pages are. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** apps/docs/ */
export const DOCS = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The repository's root. */
export const REPO = join(DOCS, "../..");
/** The generated reference pages (git-ignored, made by `npm run reference`). */
export const GENERATED = {
  api: join(DOCS, "reference/api"),
  cli: join(DOCS, "reference/cli.md"),
  rest: join(DOCS, "reference/rest.md"),
  openapi: join(DOCS, "public/openapi.json"),
  suites: join(DOCS, "reference/parts/bench-suites.md"),
} as const;
