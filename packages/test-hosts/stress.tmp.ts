import { startTestHosts } from "./src/index.ts";
const t = performance.now();
const all = await Promise.all([0, 1, 2].map(() => startTestHosts({ hosts: ["a-box", "b-box"] })));
console.log("3 up in parallel", (performance.now() - t).toFixed(0), all.map((x) => x.id));
const t2 = performance.now();
await Promise.all(all.map((x) => x.close()));
console.log("down", (performance.now() - t2).toFixed(0));
