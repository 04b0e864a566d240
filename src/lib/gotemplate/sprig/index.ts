// Sprig (github.com/Masterminds/sprig v3.3) functions, re-implemented: all of them but the
// date functions, URL parsing, semver objects, certificates, bcrypt, htpasswd and
// derivePassword (and env, expandenv, getHostByName, which NFD removes).
// Sprig's `slice` replaces Go's builtin, as it does in NFD.
import { def, type FuncDef } from "../funcdef.js";
import { DEFAULT_FUNCS } from "./defaults.js";
import { DICT_FUNCS } from "./dicts.js";
import { ENCODING_FUNCS } from "./encoding.js";
import { LIST_FUNCS } from "./lists.js";
import { MATH_FUNCS } from "./math.js";
import { REGEX_FUNCS } from "./regex.js";
import { SEMVER_FUNCS } from "./semver.js";
import { STRING_FUNCS } from "./strings.js";
import { WRAP_FUNCS } from "./wrap.js";
import { RANDOM_FUNCS } from "./random.js";
import { CRYPTO_FUNCS } from "./crypto.js";

const BASE: Record<string, FuncDef> = {
  ...STRING_FUNCS,
  ...LIST_FUNCS,
  ...DICT_FUNCS,
  ...MATH_FUNCS,
  ...REGEX_FUNCS,
  ...ENCODING_FUNCS,
  ...DEFAULT_FUNCS,
  ...SEMVER_FUNCS,
  ...WRAP_FUNCS,
  ...RANDOM_FUNCS,
  ...CRYPTO_FUNCS,
  hello: def([], () => "Hello!"),
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
