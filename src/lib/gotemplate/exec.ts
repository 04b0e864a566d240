// Executes a parsed template over engine values, with Go's semantics and error wording,
// under a step budget, an output cap and a depth limit so hostile templates end quickly.
import type {
  ListNode,
  Node,
  NumberNode,
  Operand,
  PipeNode,
  BranchNode,
  TemplateNode,
  CommandNode,
} from "./ast.js";
import { operandString } from "./ast.js";
import { TemplateError } from "./errors.js";
import {
  FuncError,
  PARAM_TYPE_NAMES,
  type CallContext,
  type FuncDef,
  type ParamType,
} from "./funcdef.js";
import { sprintValue } from "./fmt.js";
import type { ParsedTree } from "./parser.js";
import { isMap, isStringMap, sortedKeys, truth, typeName, type Value } from "./values.js";

/** Nested template calls plus control structures being executed at once. */
const MAX_EXEC_DEPTH = 300;

export interface ExecLimits {
  readonly maxOutput: number;
  readonly maxSteps: number;
  readonly budget: StepBudget | undefined;
}

/** Steps shared by several executions (and any other work the caller charges to it). */
export interface StepBudget {
  /** Steps left; executions decrement it and stop once it is below zero. */
  remaining: number;
}

const MISSING = Symbol("missing");
type Final = Value | typeof MISSING;

type Flow = "normal" | "break" | "continue";

interface Variable {
  readonly name: string;
  value: Value;
}

class Exec implements CallContext {
  private out: string[] = [];
  private outBytes = 0;
  private steps = 0;
  private depth = 0;
  private vars: Variable[] = [];
  /** Source offset of the node being evaluated, for messages. */
  private at = 0;
  /** The construct being executed ("range", "if", a template name, ...). */
  private construct: string;

  constructor(
    private readonly tree: ParsedTree,
    private readonly funcs: ReadonlyMap<string, FuncDef>,
    private readonly limits: ExecLimits,
    private readonly name: string,
  ) {
    this.construct = name;
  }

  get maxSize(): number {
    return this.limits.maxOutput;
  }

  charge(n: number): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps)
      this.error(`execution stopped after ${this.limits.maxSteps} steps`);
    const shared = this.limits.budget;
    if (shared !== undefined && (shared.remaining -= n) < 0)
      this.error("execution stopped: the shared step budget is spent");
  }

  error(message: string, construct = this.construct): never {
    const pos = this.tree.positions.at(this.at);
    throw new TemplateError(
      `template: ${pos.line}:${pos.col}: executing ${JSON.stringify(construct)}: ${message}`,
      pos.line,
      pos.col,
      construct,
    );
  }

  run(dot: Value): string {
    this.vars = [{ name: "$", value: dot }];
    this.walkList(dot, this.tree.root);
    return this.out.join("");
  }

  private write(s: string): void {
    if (s === "") return;
    this.outBytes += Buffer.byteLength(s, "utf8");
    if (this.outBytes > this.limits.maxOutput)
      this.error(`output exceeds ${this.limits.maxOutput} bytes`);
    this.out.push(s);
  }

  private enter(construct: string): string {
    if (++this.depth > MAX_EXEC_DEPTH)
      this.error(`nesting exceeds ${MAX_EXEC_DEPTH} levels (runaway recursion?)`);
    const saved = this.construct;
    this.construct = construct;
    return saved;
  }

  private leave(saved: string): void {
    this.depth--;
    this.construct = saved;
  }

  private walkList(dot: Value, list: ListNode): Flow {
    for (const n of list.nodes) {
      const flow = this.walk(dot, n);
      if (flow !== "normal") return flow;
    }
    return "normal";
  }

  private walk(dot: Value, node: Node): Flow {
    this.charge(1);
    switch (node.kind) {
      case "text":
        this.write(node.text);
        return "normal";
      case "action": {
        this.at = node.offset;
        const v = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(v);
        return "normal";
      }
      case "if":
      case "with":
        return this.walkIfOrWith(dot, node);
      case "range":
        return this.walkRange(dot, node);
      case "template":
        this.walkTemplate(dot, node);
        return "normal";
      case "break":
      case "continue":
        return node.kind;
    }
  }

  private printValue(v: Value): void {
    if (v === null) this.write("<no value>");
    else if (typeof v === "function") this.error(`can't print value of type ${typeName(v)}`);
    else this.write(typeof v === "string" ? v : sprintValue(v));
  }

  private walkIfOrWith(dot: Value, first: BranchNode & { kind: "if" | "with" }): Flow {
    const saved = this.enter(first.kind);
    const mark = this.vars.length;
    let flow: Flow = "normal";
    // An else-if (else-with) chain is walked as a loop, so long chains do not count as nesting.
    for (let node = first; ;) {
      this.at = node.offset;
      const val = this.evalPipeline(dot, node.pipe);
      if (truth(val)) {
        flow = this.walkList(node.kind === "with" ? val : dot, node.list);
        break;
      }
      const next = node.elseList?.nodes;
      if (next?.length === 1 && next[0]?.kind === node.kind) {
        node = next[0];
        continue;
      }
      if (node.elseList !== undefined) flow = this.walkList(dot, node.elseList);
      break;
    }
    this.vars.length = mark;
    this.leave(saved);
    return flow;
  }

  private walkRange(dot: Value, node: BranchNode): Flow {
    const saved = this.enter("range");
    const outer = this.vars.length;
    this.at = node.offset;
    const val = this.evalPipeline(dot, node.pipe);
    const mark = this.vars.length;
    const decl = node.pipe.decl;
    const one = (index: Value, elem: Value): Flow => {
      this.charge(1);
      if (decl.length > 0) {
        if (node.pipe.isAssign) this.setVar(decl[0] ?? "", decl.length > 1 ? index : elem);
        else this.setTopVar(1, elem);
      }
      if (decl.length > 1) {
        if (node.pipe.isAssign) this.setVar(decl[1] ?? "", elem);
        else this.setTopVar(2, index);
      }
      const flow = this.walkList(elem, node.list);
      this.vars.length = mark;
      return flow;
    };
    let iterated = false;
    let flow: Flow = "normal";
    if (Array.isArray(val)) {
      for (let i = 0; i < val.length; i++) {
        iterated = true;
        if (one(BigInt(i), val[i] ?? null) === "break") break;
      }
    } else if (isMap(val)) {
      for (const k of sortedKeys(val)) {
        iterated = true;
        if (one(k, val.get(k) ?? null) === "break") break;
      }
    } else if (typeof val === "bigint") {
      if (decl.length > 1) this.error(`can't use ${val} to iterate over more than one variable`);
      for (let i = 0n; i < val; i++) {
        iterated = true;
        if (one(i, i) === "break") break;
      }
    } else if (val !== null) {
      this.error(`range can't iterate over ${sprintValue(val)}`);
    }
    if (!iterated && node.elseList !== undefined) flow = this.walkList(dot, node.elseList);
    this.vars.length = outer;
    this.leave(saved);
    return flow;
  }

  private walkTemplate(dot: Value, node: TemplateNode): void {
    this.at = node.offset;
    const body = this.tree.defined.get(node.name);
    if (body === undefined)
      this.error(`template ${JSON.stringify(node.name)} not defined`, node.keyword);
    const outer = this.construct;
    this.construct = node.keyword;
    const newDot = node.pipe === undefined ? null : this.evalPipeline(dot, node.pipe);
    this.construct = outer;
    const saved = this.enter(node.name);
    const savedVars = this.vars;
    this.vars = [{ name: "$", value: newDot }];
    this.walkList(newDot, body);
    this.vars = savedVars;
    this.leave(saved);
  }

  private setVar(name: string, value: Value): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v !== undefined && v.name === name) {
        v.value = value;
        return;
      }
    }
    this.error(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: Value): void {
    const v = this.vars[this.vars.length - n];
    if (v !== undefined) v.value = value;
  }

  private varValue(name: string): Value {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i];
      if (v !== undefined && v.name === name) return v.value;
    }
    return this.error(`undefined variable: ${name}`);
  }

  private evalPipeline(dot: Value, pipe: PipeNode): Value {
    this.at = pipe.offset;
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const v = value === MISSING ? null : value;
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVar(name, v);
      else this.vars.push({ name, value: v });
    }
    return v;
  }

  private notAFunction(args: readonly Operand[], final: Final): void {
    if (args.length > 1 || final !== MISSING) {
      this.error(
        `can't give argument to non-function ${operandString(args[0] ?? { kind: "dot", offset: 0 })}`,
      );
    }
  }

  private evalCommand(dot: Value, cmd: CommandNode, final: Final): Value {
    this.charge(1);
    const first = cmd.args[0];
    if (first === undefined) return this.error("empty command");
    this.at = first.offset;
    switch (first.kind) {
      case "field":
        return this.evalFieldChain(dot, dot, first.fields, cmd.args, final);
      case "chain": {
        if (first.node.kind === "nil")
          this.error(`indirection through explicit nil in ${operandString(first)}`);
        const recv = this.evalArg(dot, "any", first.node);
        this.at = first.offset;
        return this.evalFieldChain(dot, recv, first.fields, cmd.args, final);
      }
      case "identifier":
        return this.evalFunction(dot, first.name, cmd.args, final);
      case "pipe": {
        this.notAFunction(cmd.args, final);
        return this.evalSubPipeline(dot, first);
      }
      case "variable": {
        const v = this.varValue(first.name);
        if (first.fields.length === 0) {
          this.notAFunction(cmd.args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first.fields, cmd.args, final);
      }
    }
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case "bool":
        return first.value;
      case "dot":
        return dot;
      case "nil":
        return this.error("nil is not a command");
      case "number":
        return idealConstant(first);
      case "string":
        return first.value;
    }
  }

  private evalSubPipeline(dot: Value, pipe: PipeNode): Value {
    const saved = this.enter(this.construct);
    const v = this.evalPipeline(dot, pipe);
    this.leave(saved);
    return v;
  }

  private evalFieldChain(
    dot: Value,
    receiver: Value,
    fields: string[],
    args: readonly Operand[],
    final: Final,
  ): Value {
    const n = fields.length;
    for (let i = 0; i < n - 1; i++)
      receiver = this.evalField(fields[i] ?? "", receiver, false, i > 0);
    const hasArgs = args.length > 1 || final !== MISSING;
    return this.evalField(fields[n - 1] ?? "", receiver, hasArgs, n > 1);
  }

  /** `fromMap`: the receiver is an element just read from a map (a nil interface{} in Go). */
  private evalField(name: string, receiver: Value, hasArgs: boolean, fromMap: boolean): Value {
    if (receiver === null) {
      if (fromMap) this.error(`nil pointer evaluating interface {}.${name}`);
      this.error(`nil data; no entry for key ${JSON.stringify(name)}`);
    }
    if (isMap(receiver)) {
      if (hasArgs) this.error(`${name} is not a method but has arguments`);
      const v = receiver.get(name);
      if (v === undefined) this.error(`map has no entry for key ${JSON.stringify(name)}`);
      return v;
    }
    return this.error(`can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private evalFunction(dot: Value, name: string, args: readonly Operand[], final: Final): Value {
    const fn = this.funcs.get(name);
    if (fn === undefined) return this.error(`${JSON.stringify(name)} is not a defined function`);
    const callArgs = args.slice(1);
    const numIn = callArgs.length + (final === MISSING ? 0 : 1);
    const fixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < fixed)
        this.error(
          `wrong number of args for ${name}: want at least ${fixed} got ${callArgs.length}`,
        );
    } else if (numIn !== fixed) {
      this.error(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    }
    const typeAt = (i: number): ParamType => fn.params[i] ?? fn.variadic ?? "any";

    if (name === "and" || name === "or") {
      // Short-circuit: stop at the first false (and) or true (or) argument.
      let v: Value = null;
      for (const a of callArgs) {
        v = this.evalArg(dot, "any", a);
        if (truth(v) === (name === "or")) return v;
      }
      return final === MISSING ? v : final;
    }

    const argv: Value[] = callArgs.map((a, i) => this.evalArg(dot, typeAt(i), a));
    if (final !== MISSING) argv.push(this.validateType(final, typeAt(argv.length)));
    this.at = args[0]?.offset ?? this.at;
    // String functions take time in proportion to their string arguments.
    this.charge(argv.reduce<number>((n, a) => n + (typeof a === "string" ? a.length >> 6 : 0), 0));
    try {
      const result = fn.fn(argv, this);
      this.charge(1 + costOf(result));
      if (sizeOf(result) > this.limits.maxOutput) {
        this.error(`error calling ${name}: result larger than ${this.limits.maxOutput}`, name);
      }
      return result;
    } catch (e) {
      if (e instanceof TemplateError) throw e;
      if (e instanceof FuncError) return this.error(`error calling ${name}: ${e.message}`, name);
      if (e instanceof RangeError) return this.error(`error calling ${name}: ${e.message}`, name);
      throw e;
    }
  }

  private validateType(value: Value, type: ParamType): Value {
    if (type === "any") return value;
    if (value === null) {
      if (type === "list" || type === "map") return null;
      return this.error(`invalid value; expected ${PARAM_TYPE_NAMES[type]}`);
    }
    const ok =
      (type === "string" && typeof value === "string") ||
      (type === "int" && typeof value === "bigint") ||
      (type === "float64" && typeof value === "number") ||
      (type === "bool" && typeof value === "boolean") ||
      (type === "list" && Array.isArray(value)) ||
      (type === "map" && isMap(value) && !isStringMap(value));
    if (!ok)
      this.error(
        `wrong type for value; expected ${PARAM_TYPE_NAMES[type]}; got ${typeName(value)}`,
      );
    return value;
  }

  private evalArg(dot: Value, type: ParamType, n: Operand): Value {
    this.at = n.offset;
    switch (n.kind) {
      case "dot":
        return this.validateType(dot, type);
      case "nil":
        if (type === "any" || type === "list" || type === "map") return null;
        return this.error(`cannot assign nil to ${PARAM_TYPE_NAMES[type]}`);
      case "field":
        return this.validateType(this.evalFieldChain(dot, dot, n.fields, [n], MISSING), type);
      case "variable": {
        const v = this.varValue(n.name);
        return this.validateType(
          n.fields.length === 0 ? v : this.evalFieldChain(dot, v, n.fields, [n], MISSING),
          type,
        );
      }
      case "pipe":
        return this.validateType(this.evalSubPipeline(dot, n), type);
      case "identifier":
        return this.validateType(this.evalFunction(dot, n.name, [n], MISSING), type);
      case "chain": {
        if (n.node.kind === "nil")
          this.error(`indirection through explicit nil in ${operandString(n)}`);
        const recv = this.evalArg(dot, "any", n.node);
        this.at = n.offset;
        return this.validateType(this.evalFieldChain(dot, recv, n.fields, [n], MISSING), type);
      }
    }
    // Literals convert to the parameter type, as Go's constants do.
    switch (type) {
      case "any":
        return n.kind === "number" ? idealConstant(n) : n.value;
      case "bool":
        if (n.kind === "bool") return n.value;
        return this.error(`expected bool; found ${operandString(n)}`);
      case "string":
        if (n.kind === "string") return n.value;
        return this.error(`expected string; found ${operandString(n)}`);
      case "int":
        if (n.kind === "number" && n.int !== undefined) return n.int;
        return this.error(`expected integer; found ${operandString(n)}`);
      case "float64":
        if (n.kind === "number" && n.float !== undefined) return n.float;
        return this.error(`expected float; found ${operandString(n)}`);
      default:
        return this.error(
          `can't handle ${operandString(n)} for arg of type ${PARAM_TYPE_NAMES[type]}`,
        );
    }
  }
}

function idealConstant(n: NumberNode): Value {
  if (n.isFloatSyntax || n.int === undefined) return n.float ?? 0;
  return n.int;
}

/** Length of a string or list result, checked against the output cap. */
function sizeOf(v: Value): number {
  return typeof v === "string" || Array.isArray(v) ? v.length : 0;
}

/** Work a function result stands for, charged to the step budget (big strings and lists cost more). */
function costOf(v: Value): number {
  if (typeof v === "string") return v.length >> 6;
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return v.size;
  return 0;
}

export function execute(
  tree: ParsedTree,
  funcs: ReadonlyMap<string, FuncDef>,
  data: Value,
  limits: ExecLimits,
  name: string,
): string {
  const exec = new Exec(tree, funcs, limits, name);
  try {
    return exec.run(data);
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    if (e instanceof FuncError) exec.error(e.message);
    if (e instanceof RangeError) exec.error(`execution too deep or too large: ${e.message}`);
    throw e;
  }
}
