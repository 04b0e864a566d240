// Syntax tree of a parsed template. `offset` is the node's place in the source.

export type Node =
  TextNode | ActionNode | IfNode | RangeNode | WithNode | TemplateNode | BreakNode | ContinueNode;

export interface ListNode {
  readonly nodes: Node[];
}

export interface TextNode {
  readonly kind: "text";
  readonly text: string;
}

export interface ActionNode {
  readonly kind: "action";
  readonly offset: number;
  readonly pipe: PipeNode;
}

export interface BranchNode {
  readonly offset: number;
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | undefined;
}

export interface IfNode extends BranchNode {
  readonly kind: "if";
}
export interface WithNode extends BranchNode {
  readonly kind: "with";
}
export interface RangeNode extends BranchNode {
  readonly kind: "range";
}

export interface TemplateNode {
  readonly kind: "template";
  readonly offset: number;
  /** "template" or "block", for messages. */
  readonly keyword: "template" | "block";
  readonly name: string;
  readonly pipe: PipeNode | undefined;
}

export interface BreakNode {
  readonly kind: "break";
  readonly offset: number;
}
export interface ContinueNode {
  readonly kind: "continue";
  readonly offset: number;
}

export interface PipeNode {
  readonly kind: "pipe";
  readonly offset: number;
  isAssign: boolean;
  readonly decl: string[];
  readonly cmds: CommandNode[];
}

export interface CommandNode {
  readonly offset: number;
  readonly args: Operand[];
}

export type Operand =
  | { readonly kind: "identifier"; readonly offset: number; readonly name: string }
  | { readonly kind: "dot"; readonly offset: number }
  | { readonly kind: "nil"; readonly offset: number }
  | { readonly kind: "bool"; readonly offset: number; readonly value: boolean }
  | NumberNode
  | {
      readonly kind: "string";
      readonly offset: number;
      readonly quoted: string;
      readonly value: string;
    }
  /** `.a.b`: fields of dot. */
  | { readonly kind: "field"; readonly offset: number; readonly fields: string[] }
  /** `$x.a.b`: a variable then fields. */
  | {
      readonly kind: "variable";
      readonly offset: number;
      readonly name: string;
      readonly fields: string[];
    }
  /** `(pipe).a.b` or `fn.a`: a term then fields. */
  | {
      readonly kind: "chain";
      readonly offset: number;
      readonly node: Operand;
      readonly fields: string[];
    }
  | PipeNode;

export interface NumberNode {
  readonly kind: "number";
  readonly offset: number;
  readonly text: string;
  /** Value as an int, when the literal is an integer (or a character). */
  readonly int: bigint | undefined;
  /** Value as a float, when representable. */
  readonly float: number | undefined;
  /** Literal syntax says float (has . e p, not hex int, not char). */
  readonly isFloatSyntax: boolean;
}

/** Go's rendering of an operand in messages (`.a.b`, `$x`, `"s"`, `(pipe)`). */
export function operandString(n: Operand): string {
  switch (n.kind) {
    case "identifier":
      return n.name;
    case "dot":
      return ".";
    case "nil":
      return "nil";
    case "bool":
      return String(n.value);
    case "number":
      return n.text;
    case "string":
      return n.quoted;
    case "field":
      return n.fields.map((f) => "." + f).join("");
    case "variable":
      return n.name + n.fields.map((f) => "." + f).join("");
    case "chain": {
      const inner = n.node.kind === "pipe" ? `(${pipeString(n.node)})` : operandString(n.node);
      return inner + n.fields.map((f) => "." + f).join("");
    }
    case "pipe":
      return `(${pipeString(n)})`;
  }
}

function pipeString(p: PipeNode): string {
  let s = "";
  if (p.decl.length > 0) s = p.decl.join(", ") + (p.isAssign ? " = " : " := ");
  return s + p.cmds.map((c) => c.args.map(operandString).join(" ")).join(" | ");
}
