export * from "./format.js";
export * from "./ops.js";
export * from "./host.js";
export * from "./exact.js";
