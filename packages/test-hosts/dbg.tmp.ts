import { startTestHosts } from "./src/index.ts";
let t = performance.now();
const th = await startTestHosts({ hosts: ["gpu-box", { name: "cpu-box", runtime: "bun" }] });
console.error("up", (performance.now() - t).toFixed(0));
t = performance.now();
await th.close();
console.error("down", (performance.now() - t).toFixed(0));
