/**
 * Test helpers for storage drivers: the conformance suite every driver runs.
 * Imports vitest, so only test files may import this module.
 */
export { testDriver, chunked } from "./driver-suite.ts";
export type { DriverFixture } from "./driver-suite.ts";
