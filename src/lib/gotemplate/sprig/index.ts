// Sprig (github.com/Masterminds/sprig) functions, re-implemented: the hermetic subset templates over strings use.
import type { FuncDef } from "../funcdef.js";

export const SPRIG: Record<string, FuncDef> = {};
