#!/usr/bin/env node
// The `lit` command on Node: loads TypeScript through tsx, then runs the CLI.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
