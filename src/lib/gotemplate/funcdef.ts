// How template functions are declared: Go parameter types drive argument checking.
import type { Value } from "./values.js";

/** Go parameter types of template functions (int64 is accepted wherever int is, unlike Go). */
export type ParamType = "any" | "string" | "int" | "float64" | "bool" | "list" | "map";

export const PARAM_TYPE_NAMES: Record<ParamType, string> = {
  any: "interface {}",
  string: "string",
  int: "int",
  float64: "float64",
  bool: "bool",
  list: "[]interface {}",
  map: "map[string]interface {}",
};

export interface CallContext {
  /** Counts work against the execution's step budget. */
  charge(steps: number): void;
  /** Largest string or list a function may build (the output cap). */
  readonly maxSize: number;
}

export interface FuncDef {
  readonly params: readonly ParamType[];
  readonly variadic?: ParamType;
  readonly fn: (args: Value[], ctx: CallContext) => Value;
}

/** A failure inside a function; reported as Go does: `error calling <name>: <message>`. */
export class FuncError extends Error {}

export function fail(message: string): never {
  throw new FuncError(message);
}

export function def(
  params: readonly ParamType[],
  fn: (args: Value[], ctx: CallContext) => Value,
  variadic?: ParamType,
): FuncDef {
  return variadic === undefined ? { params, fn } : { params, fn, variadic };
}
