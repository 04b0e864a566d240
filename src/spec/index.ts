// The spec layer: the model, diagnostics, and parsing YAML/JSON text into a checked Spec.

export * from "./model.js";
export * from "./diagnostic.js";
export { parseSpec, MAX_SPEC_BYTES, type ParsedSpec } from "./parse.js";
