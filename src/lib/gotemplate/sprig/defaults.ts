// Sprig defaults, flow and reflection helpers, and Go's path functions.
import { def, fail, type FuncDef } from "../funcdef.js";
import { deepEqual, typeName } from "../values.js";
import { empty } from "./convert.js";
import { goKind } from "./lists.js";

/** path.Clean. */
function cleanPath(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const joined = out.join("/");
  if (rooted) return "/" + joined;
  return joined === "" ? "." : joined;
}

function basePath(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

function dirPath(p: string): string {
  return cleanPath(p.slice(0, p.lastIndexOf("/") + 1));
}

function extPath(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

export const DEFAULT_FUNCS: Record<string, FuncDef> = {
  default: def(
    ["any"],
    ([d, ...given]) =>
      given.length === 0 || empty(given[0] ?? null) ? (d ?? null) : (given[0] ?? null),
    "any",
  ),
  empty: def(["any"], ([v]) => empty(v ?? null)),
  coalesce: def([], (args) => args.find((a) => !empty(a)) ?? null, "any"),
  all: def([], (args) => args.every((a) => !empty(a)), "any"),
  any: def([], (args) => args.some((a) => !empty(a)), "any"),
  ternary: def(["any", "any", "bool"], ([t, f, c]) => (c === true ? (t ?? null) : (f ?? null))),
  deepEqual: def(["any", "any"], ([a, b]) => deepEqual(a ?? null, b ?? null)),
  typeOf: def(["any"], ([v]) => typeName(v ?? null)),
  typeIs: def(["string", "any"], ([t, v]) => t === typeName(v ?? null)),
  // Also matches a pointer to the type; template values are never pointers here.
  typeIsLike: def(["string", "any"], ([t, v]) => {
    const name = typeName(v ?? null);
    return t === name || `*${t as string}` === name;
  }),
  kindOf: def(["any"], ([v]) => (v === null || v === undefined ? "invalid" : goKind(v))),
  kindIs: def(
    ["string", "any"],
    ([k, v]) => k === (v === null || v === undefined ? "invalid" : goKind(v)),
  ),
  fail: def(["string"], ([msg]) => fail(msg as string)),
  base: def(["string"], ([p]) => basePath(p as string)),
  dir: def(["string"], ([p]) => dirPath(p as string)),
  clean: def(["string"], ([p]) => cleanPath(p as string)),
  ext: def(["string"], ([p]) => extPath(p as string)),
  isAbs: def(["string"], ([p]) => (p as string).startsWith("/")),
  // filepath on Linux behaves as path.
  osBase: def(["string"], ([p]) => basePath(p as string)),
  osDir: def(["string"], ([p]) => dirPath(p as string)),
  osClean: def(["string"], ([p]) => cleanPath(p as string)),
  osExt: def(["string"], ([p]) => extPath(p as string)),
  osIsAbs: def(["string"], ([p]) => (p as string).startsWith("/")),
};
