/// <reference path="./vendor.d.ts" />
/**
 * comlink, from its ES module build (its package has no export map, and its
 * main entry is UMD).
 */
export * from "comlink/dist/esm/comlink.mjs";
export { default as nodeEndpoint } from "comlink/dist/esm/node-adapter.mjs";
