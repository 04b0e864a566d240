// Sprig (github.com/Masterminds/sprig v3) functions, re-implemented: the hermetic subset that
// templates over strings use. Sprig's `slice` replaces Go's builtin, as it does in NFD.
import type { FuncDef } from "../funcdef.js";
import { DEFAULT_FUNCS } from "./defaults.js";
import { DICT_FUNCS } from "./dicts.js";
import { ENCODING_FUNCS } from "./encoding.js";
import { LIST_FUNCS } from "./lists.js";
import { MATH_FUNCS } from "./math.js";
import { REGEX_FUNCS } from "./regex.js";
import { SEMVER_FUNCS } from "./semver.js";
import { STRING_FUNCS } from "./strings.js";

const BASE: Record<string, FuncDef> = {
  ...STRING_FUNCS,
  ...LIST_FUNCS,
  ...DICT_FUNCS,
  ...MATH_FUNCS,
  ...REGEX_FUNCS,
  ...ENCODING_FUNCS,
  ...DEFAULT_FUNCS,
  ...SEMVER_FUNCS,
};

/** Sprig's must* variants fail where the plain ones panic; here both are template errors. */
const MUST_ALIASES = [
  "first",
  "last",
  "rest",
  "initial",
  "reverse",
  "uniq",
  "without",
  "has",
  "compact",
  "slice",
  "append",
  "push",
  "prepend",
  "chunk",
  "regexFind",
  "regexFindAll",
  "regexReplaceAll",
  "regexReplaceAllLiteral",
  "regexSplit",
];

export const SPRIG: Record<string, FuncDef> = { ...BASE };
for (const name of MUST_ALIASES) {
  const f = BASE[name];
  if (f !== undefined) SPRIG["must" + name[0]?.toUpperCase() + name.slice(1)] = f;
}
