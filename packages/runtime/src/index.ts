/**
 * @lit-app/runtime: which JavaScript runtime lit-app runs on, and writing a
 * file whole or not at all. Every package that touches the machine uses these
 * (never its own copy); the pure core does not, since it asks neither.
 */
export { runtimeKind, type RuntimeKind } from "./runtime-kind.ts";
export { writeFileAtomic, writeFileAtomicSync, atomicTempName, type AtomicWriteOptions } from "./atomic-write.ts";
export { processAlive, processStartTime } from "./process-alive.ts";
export { APP_THREAD_OLD_SPACE_MIB, oldSpaceArgs, startThreadWithOldSpace, type ThreadStarting } from "./old-space.ts";
