/** The executor-facing view of a work ({@link WorkRef}), one per work. */
import type { WorkRef } from "./ports.ts";
import { varsOf } from "./state-document.ts";
import type { LightningWork } from "./work.ts";
import type { WorkCore } from "./work-core.ts";

const refs = new WeakMap<WorkCore, WorkRef>();

/** Returns the {@link WorkRef} of a work. */
export function workRef(core: WorkCore): WorkRef {
  let ref = refs.get(core);
  if (!ref) {
    ref = {
      get name() {
        return core.name;
      },
      className: core.className,
      work: core.proxy as LightningWork,
      compute: core.options.cloudCompute.toJSON(),
      parallel: core.options.parallel,
      port: core.options.port,
      isolation: core.options.isolation,
      constructorOptions: core.constructorOptions,
      state: () => varsOf(core),
    };
    refs.set(core, ref);
  }
  return ref;
}
