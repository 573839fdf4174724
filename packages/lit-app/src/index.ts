/**
 * lit-app: build workflows and full-stack AI apps out of flows and works.
 * @example
 * import * as L from "lit-app";
 * class Hello extends L.LightningWork { run(name: string) { console.log(`hello ${name}`); } }
 * class Root extends L.LightningFlow { hello = new Hello(); run() { this.hello.run("world"); } }
 * export default new L.LightningApp(new Root());
 */
import "./runner/auto-start.ts";

export * from "./work-side.ts";
