// Parser for Go's text/template language, following Go's grammar and its error wording.
import type { CommandNode, ListNode, Node, NumberNode, Operand, PipeNode } from "./ast.js";
import { operandString } from "./ast.js";
import { parseError, TemplateError } from "./errors.js";
import { lex, Positions, type Token, type TokenType } from "./lexer.js";
import { parseNumber, unquote } from "../go/literals.js";

/** Nesting of control structures and parentheses allowed in a template. */
const MAX_PARSE_DEPTH = 100;

export interface ParsedTree {
  readonly root: ListNode;
  /** `define`d and `block` templates by name; the last non-empty definition wins, as in Go. */
  readonly defined: Map<string, ListNode>;
  readonly positions: Positions;
}

type EndNode = { kind: "end"; offset: number } | { kind: "else"; offset: number };

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private vars: string[] = ["$"];
  private rangeDepth = 0;
  private depth = 0;
  readonly positions: Positions;
  readonly defined = new Map<string, ListNode>();

  constructor(
    source: string,
    private readonly hasFunction: (name: string) => boolean,
  ) {
    this.tokens = lex(source);
    this.positions = new Positions(source);
  }

  private fail(offset: number, message: string): never {
    throw parseError(this.positions.at(offset), message);
  }

  private peek(): Token {
    const t = this.tokens[this.index] ?? this.tokens[this.tokens.length - 1];
    if (t === undefined) throw new TemplateError("template: internal error: no tokens");
    if (t.type === "error") this.fail(t.offset, t.val);
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== "eof") this.index++;
    return t;
  }

  private backup(n = 1): void {
    this.index -= n;
  }

  private peekNonSpace(): Token {
    while (this.peek().type === "space") this.index++;
    return this.peek();
  }

  private nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }

  private expect(type: TokenType, context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.unexpected(t, context);
    return t;
  }

  private unexpected(t: Token, context: string): never {
    if (t.type === "eof") this.fail(t.offset, `unexpected EOF in ${context}`);
    this.fail(t.offset, `unexpected ${describe(t)} in ${context}`);
  }

  private enter(offset: number): void {
    if (++this.depth > MAX_PARSE_DEPTH)
      this.fail(offset, `nesting deeper than ${MAX_PARSE_DEPTH} levels`);
  }

  private leave(): void {
    this.depth--;
  }

  parse(): ListNode {
    const root: ListNode = { nodes: [] };
    while (this.peek().type !== "eof") {
      if (this.peek().type === "leftDelim") {
        this.next();
        if (this.nextNonSpace().type === "define") {
          this.parseDefinition();
          continue;
        }
        // Step back to the left delimiter (skipping back over any spaces read).
        while (this.tokens[--this.index]?.type !== "leftDelim");
      }
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") this.fail(n.offset, `unexpected {{${n.kind}}}`);
      root.nodes.push(n);
    }
    return root;
  }

  private parseDefinition(): void {
    const context = "define clause";
    const nameTok = this.nextNonSpace();
    const name = this.templateName(nameTok, context);
    const offset = nameTok.offset;
    this.expect("rightDelim", context);
    const saved = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ["$"];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.kind !== "end") this.fail(end.offset, `unexpected {{${end.kind}}} in ${context}`);
    this.vars = saved;
    this.rangeDepth = savedRange;
    this.define(name, list, offset);
  }

  /** Go's rule within one parse: an empty definition never replaces, two non-empty ones clash. */
  private define(name: string, list: ListNode, offset: number): void {
    const isEmpty = (l: ListNode): boolean =>
      l.nodes.every((n) => n.kind === "text" && n.text.trim() === "");
    const old = this.defined.get(name);
    if (old === undefined || isEmpty(old)) this.defined.set(name, list);
    else if (!isEmpty(list))
      this.fail(offset, `multiple definition of template ${JSON.stringify(name)}`);
  }

  private templateName(t: Token, context: string): string {
    if (t.type === "string" || t.type === "rawString") return this.unquoteToken(t);
    this.unexpected(t, context);
  }

  private unquoteToken(t: Token): string {
    const s = unquote(t.val);
    if (s === undefined) this.fail(t.offset, `invalid syntax in ${t.val}`);
    return s;
  }

  /** Parses nodes until {{end}} or {{else}}, which it returns. */
  private itemList(): [ListNode, EndNode] {
    const list: ListNode = { nodes: [] };
    while (this.peekNonSpace().type !== "eof") {
      const n = this.textOrAction();
      if (n.kind === "end" || n.kind === "else") return [list, n];
      list.nodes.push(n);
    }
    this.fail(this.peek().offset, "unexpected EOF");
  }

  private textOrAction(): Node | EndNode {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "text":
        return { kind: "text", text: t.val };
      case "leftDelim":
        return this.action();
      case "comment":
        return { kind: "text", text: "" };
      default:
        this.unexpected(t, "input");
    }
  }

  private action(): Node | EndNode {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "block":
        return this.blockControl(t);
      case "break":
      case "continue":
        return this.loopControl(t);
      case "else":
        return this.elseControl(t);
      case "end":
        this.expect("rightDelim", "end");
        return { kind: "end", offset: t.offset };
      case "if":
      case "range":
      case "with":
        return this.control(t);
      case "template":
        return this.templateControl(t);
      case "define":
        this.fail(t.offset, "unexpected {{define}}: definitions must be at top level");
    }
    this.backup();
    const start = this.peek();
    // Variables declared here stay until the enclosing {{end}}.
    return { kind: "action", offset: start.offset, pipe: this.pipeline("command", "rightDelim") };
  }

  private loopControl(t: Token): Node {
    const word = t.type as "break" | "continue";
    const after = this.nextNonSpace();
    if (after.type !== "rightDelim") this.unexpected(after, `{{${word}}}`);
    if (this.rangeDepth === 0) this.fail(t.offset, `{{${word}}} outside {{range}}`);
    return { kind: word, offset: t.offset };
  }

  private elseControl(t: Token): EndNode {
    const peek = this.peekNonSpace();
    // "{{else if" and "{{else with" leave the keyword pending for the enclosing control.
    if (peek.type === "if" || peek.type === "with") return { kind: "else", offset: t.offset };
    this.expect("rightDelim", "else");
    return { kind: "else", offset: t.offset };
  }

  private control(t: Token, chained = false): Node {
    const context = t.type as "if" | "range" | "with";
    if (!chained) this.enter(t.offset);
    const mark = this.vars.length;
    const pipe = this.pipeline(context, "rightDelim");
    if (context === "range") this.rangeDepth++;
    const [list, next] = this.itemList();
    if (context === "range") this.rangeDepth--;
    let elseList: ListNode | undefined;
    if (next.kind === "else") {
      const kw = this.peek();
      if ((context === "if" && kw.type === "if") || (context === "with" && kw.type === "with")) {
        // {{else if x}}…{{end}} is {{else}}{{if x}}…{{end}}{{end}}: the inner end closes both.
        this.next();
        elseList = { nodes: [this.control(kw, true)] };
      } else {
        const [l, end] = this.itemList();
        if (end.kind !== "end") this.fail(end.offset, `expected end; found {{${end.kind}}}`);
        elseList = l;
      }
    }
    this.vars.length = mark;
    if (!chained) this.leave();
    return { kind: context, offset: t.offset, pipe, list, elseList };
  }

  private templateControl(t: Token): Node {
    const context = "template clause";
    const name = this.templateName(this.nextNonSpace(), context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== "rightDelim") {
      this.backup();
      pipe = this.pipeline(context, "rightDelim");
    }
    return { kind: "template", keyword: "template", offset: t.offset, name, pipe };
  }

  private blockControl(t: Token): Node {
    const context = "block clause";
    this.enter(t.offset);
    const nameTok = this.nextNonSpace();
    const name = this.templateName(nameTok, context);
    const pipe = this.pipeline(context, "rightDelim");
    const saved = this.vars;
    const savedRange = this.rangeDepth;
    this.vars = ["$"];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    if (end.kind !== "end") this.fail(end.offset, `unexpected {{${end.kind}}} in ${context}`);
    this.vars = saved;
    this.rangeDepth = savedRange;
    this.define(name, list, nameTok.offset);
    this.leave();
    return { kind: "template", keyword: "block", offset: t.offset, name, pipe };
  }

  private pipeline(context: string, end: "rightDelim" | "rightParen"): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      kind: "pipe",
      offset: first.offset,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    // Declarations or assignments.
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== "variable") break;
      const start = this.index;
      this.next();
      const next = this.peekNonSpace();
      if (next.type === "assign" || next.type === "declare") {
        pipe.isAssign = next.type === "assign";
        this.next();
        pipe.decl.push(v.val);
        this.vars.push(v.val);
        break;
      }
      if (next.type === "char" && next.val === ",") {
        this.next();
        pipe.decl.push(v.val);
        this.vars.push(v.val);
        if (context === "range" && pipe.decl.length < 2) {
          const after = this.peekNonSpace();
          if (after.type === "variable") continue;
          this.fail(after.offset, "range can only initialize variables");
        }
        this.fail(v.offset, `too many declarations in ${context}`);
      }
      this.index = start;
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        this.checkPipeline(pipe, context);
        return pipe;
      }
      switch (t.type) {
        case "bool":
        case "charConstant":
        case "dot":
        case "field":
        case "identifier":
        case "number":
        case "nil":
        case "rawString":
        case "string":
        case "variable":
        case "leftParen":
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.fail(pipe.offset, `missing value for ${context}`);
    pipe.cmds.forEach((c, i) => {
      const k = c.args[0]?.kind;
      if (
        i > 0 &&
        (k === "bool" || k === "dot" || k === "nil" || k === "number" || k === "string")
      ) {
        this.fail(c.offset, `non executable command in pipeline stage ${i + 1}`);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { offset: this.peekNonSpace().offset, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const t = this.next();
      if (t.type === "space") continue;
      if (t.type === "rightDelim" || t.type === "rightParen") this.backup();
      else if (t.type !== "pipe") this.unexpected(t, "operand");
      break;
    }
    if (cmd.args.length === 0) this.fail(cmd.offset, "empty command");
    return cmd;
  }

  private operand(): Operand | undefined {
    const node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type !== "field") return node;
    const fields: string[] = [];
    while (this.peek().type === "field") fields.push(this.next().val.slice(1));
    switch (node.kind) {
      case "field":
        return { ...node, fields: [...node.fields, ...fields] };
      case "variable":
        return { ...node, fields: [...node.fields, ...fields] };
      case "bool":
      case "string":
      case "number":
      case "nil":
      case "dot":
        this.fail(node.offset, `unexpected . after term ${JSON.stringify(operandString(node))}`);
        break;
      default:
        return { kind: "chain", offset: node.offset, node, fields };
    }
  }

  private term(): Operand | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case "identifier":
        if (!this.hasFunction(t.val))
          this.fail(t.offset, `function ${JSON.stringify(t.val)} not defined`);
        return { kind: "identifier", offset: t.offset, name: t.val };
      case "dot":
        return { kind: "dot", offset: t.offset };
      case "nil":
        return { kind: "nil", offset: t.offset };
      case "variable":
        return this.useVar(t);
      case "field":
        return { kind: "field", offset: t.offset, fields: [t.val.slice(1)] };
      case "bool":
        return { kind: "bool", offset: t.offset, value: t.val === "true" };
      case "charConstant":
      case "number":
        return this.number(t);
      case "leftParen": {
        this.enter(t.offset);
        const p = this.pipeline("parenthesized pipeline", "rightParen");
        this.leave();
        return p;
      }
      case "string":
      case "rawString":
        return { kind: "string", offset: t.offset, quoted: t.val, value: this.unquoteToken(t) };
    }
    this.backup();
    return undefined;
  }

  private number(t: Token): NumberNode {
    const n = parseNumber(t.val, t.type === "charConstant");
    if (typeof n === "string") this.fail(t.offset, n);
    return { kind: "number", offset: t.offset, text: t.val, ...n };
  }

  private useVar(t: Token): Operand {
    const name = t.val;
    if (!this.vars.includes(name))
      this.fail(t.offset, `undefined variable ${JSON.stringify(name)}`);
    return { kind: "variable", offset: t.offset, name, fields: [] };
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case "rightDelim":
      return "<}}>";
    case "leftDelim":
      return "<{{>";
    case "text":
      return JSON.stringify(t.val.length > 10 ? t.val.slice(0, 10) + "..." : t.val);
    case "space":
      return "space";
    default:
      return t.type === "identifier" ||
        t.type === "field" ||
        t.type === "variable" ||
        t.type === "number"
        ? `<${t.val}>`
        : JSON.stringify(t.val);
  }
}

export function parse(source: string, hasFunction: (name: string) => boolean): ParsedTree {
  const p = new Parser(source, hasFunction);
  const root = p.parse();
  return { root, defined: p.defined, positions: p.positions };
}
