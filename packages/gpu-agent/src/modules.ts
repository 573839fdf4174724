/**
 * The modules the agent runs (main.ts starts these). Add a module with one
 * line here.
 */
import { appsModule } from "./apps/apps-module.ts";
import { drivesModule } from "./drives/drives-module.ts";
import type { AgentModule } from "./module.ts";
import { oldLayoutModule } from "./old-layout-module.ts";
import { storageModule } from "./storage-module.ts";
import { worksModule } from "./works/works-module.ts";

/** Started in order; closed in reverse order. */
export const agentModules: AgentModule[] = [worksModule(), storageModule(), appsModule(), drivesModule(), oldLayoutModule()];
