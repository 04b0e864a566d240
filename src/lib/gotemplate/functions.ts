// The function library available to templates: Go's builtins plus hermetic Sprig functions.
import { BUILTINS } from "./builtins.js";
import type { FuncDef } from "./funcdef.js";
import { SPRIG } from "./sprig/index.js";

/** Sprig's definitions win over Go's builtins of the same name (only `slice`), as with Go's Funcs. */
export const FUNCTIONS: ReadonlyMap<string, FuncDef> = new Map([
  ...Object.entries(BUILTINS),
  ...Object.entries(SPRIG),
]);
