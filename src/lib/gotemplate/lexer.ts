// Tokenizer for Go's text/template syntax (delimiters `{{` `}}` only).
import type { Pos } from "./errors.js";

export type TokenType =
  | "text"
  | "comment"
  | "leftDelim"
  | "rightDelim"
  | "space"
  | "eof"
  | "error"
  | "bool"
  | "char" // a lone printable ASCII character such as ','
  | "charConstant"
  | "number"
  | "string"
  | "rawString"
  | "dot"
  | "field"
  | "identifier"
  | "variable"
  | "assign"
  | "declare"
  | "pipe"
  | "leftParen"
  | "rightParen"
  | Keyword;

export type Keyword =
  | "block"
  | "break"
  | "continue"
  | "define"
  | "else"
  | "end"
  | "if"
  | "range"
  | "nil"
  | "template"
  | "with";

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  "block",
  "break",
  "continue",
  "define",
  "else",
  "end",
  "if",
  "range",
  "nil",
  "template",
  "with",
]);

export interface Token {
  readonly type: TokenType;
  readonly val: string;
  readonly offset: number;
}

const LEFT = "{{";
const RIGHT = "}}";

function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r" || c === "\n";
}

function isAlphaNumeric(c: string | undefined): boolean {
  return c !== undefined && (c === "_" || /^[\p{L}\p{Nd}]$/u.test(c));
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Go's %#U rendering of a character, used in lexer messages. */
function describeChar(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  return /^\P{C}$/u.test(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

/** Maps offsets to 1-based line:col. */
export class Positions {
  private readonly starts: number[] = [0];
  constructor(source: string) {
    for (let i = 0; i < source.length; i++) if (source[i] === "\n") this.starts.push(i + 1);
  }
  at(offset: number): Pos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

/**
 * Splits the whole source into tokens. A lexical error becomes an "error" token (its message
 * in `val`) and ends the stream, so the parser reports earlier problems first, as Go does.
 */
export function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  let parenDepth = 0;
  const emit = (type: TokenType, start: number, end: number): void => {
    tokens.push({ type, val: input.slice(start, end), offset: start });
  };
  const fail = (offset: number, message: string): Token[] => {
    tokens.push({ type: "error", val: message, offset });
    return tokens;
  };
  const atRightDelim = (p: number): { delim: boolean; trim: boolean } => {
    if (isSpace(input[p]) && input[p + 1] === "-" && input.startsWith(RIGHT, p + 2))
      return { delim: true, trim: true };
    return { delim: input.startsWith(RIGHT, p), trim: false };
  };
  const skipSpaces = (p: number): number => {
    while (p < input.length && isSpace(input[p])) p++;
    return p;
  };
  const atTerminator = (p: number): boolean => {
    const c = input[p];
    if (c === undefined || isSpace(c) || ".,|:()".includes(c)) return true;
    return input.startsWith(RIGHT, p);
  };

  for (;;) {
    // Text up to the next action.
    const left = input.indexOf(LEFT, pos);
    if (left < 0) {
      if (pos < input.length) emit("text", pos, input.length);
      tokens.push({ type: "eof", val: "", offset: input.length });
      return tokens;
    }
    const trimLeft = input[left + 2] === "-" && isSpace(input[left + 3]);
    let textEnd = left;
    if (trimLeft) while (textEnd > pos && isSpace(input[textEnd - 1])) textEnd--;
    if (textEnd > pos) emit("text", pos, textEnd);
    pos = left + 2 + (trimLeft ? 2 : 0);

    // Comment: must fill the whole action.
    if (input.startsWith("/*", pos)) {
      const close = input.indexOf("*/", pos + 2);
      if (close < 0) return fail(left, "unclosed comment");
      const after = close + 2;
      const rd = atRightDelim(after);
      if (!rd.delim) return fail(left, "comment ends before closing delimiter");
      emit("comment", pos, after);
      pos = after + (rd.trim ? 4 : 2);
      if (rd.trim) pos = skipSpaces(pos);
      continue;
    }
    emit("leftDelim", left, left + 2);

    // Inside the action.
    for (;;) {
      const rd = atRightDelim(pos);
      if (rd.delim) {
        if (parenDepth > 0) return fail(pos, "unclosed left paren");
        const start = rd.trim ? pos + 2 : pos;
        emit("rightDelim", start, start + 2);
        pos = start + 2;
        if (rd.trim) pos = skipSpaces(pos);
        break;
      }
      const c = input[pos];
      if (c === undefined) return fail(pos, "unclosed action");
      const start = pos;
      if (isSpace(c)) {
        pos = skipSpaces(pos);
        // A space that belongs to a trim marker " -}}" is not a token of its own.
        if (atRightDelim(pos - 1).trim) {
          pos--;
          if (pos === start) continue;
        }
        emit("space", start, pos);
      } else if (c === "=") {
        pos++;
        emit("assign", start, pos);
      } else if (c === ":") {
        if (input[pos + 1] !== "=") return fail(pos, "expected :=");
        pos += 2;
        emit("declare", start, pos);
      } else if (c === "|") {
        pos++;
        emit("pipe", start, pos);
      } else if (c === '"') {
        pos++;
        for (;;) {
          const d = input[pos];
          if (d === "\\") {
            pos++;
            const e = input[pos];
            if (e === undefined || e === "\n") return fail(start, "unterminated quoted string");
          } else if (d === undefined || d === "\n") {
            return fail(start, "unterminated quoted string");
          } else if (d === '"') {
            break;
          }
          pos++;
        }
        pos++;
        emit("string", start, pos);
      } else if (c === "`") {
        const close = input.indexOf("`", pos + 1);
        if (close < 0) return fail(start, "unterminated raw quoted string");
        pos = close + 1;
        emit("rawString", start, pos);
      } else if (c === "'") {
        pos++;
        for (;;) {
          const d = input[pos];
          if (d === "\\") {
            pos++;
            const e = input[pos];
            if (e === undefined || e === "\n")
              return fail(start, "unterminated character constant");
          } else if (d === undefined || d === "\n") {
            return fail(start, "unterminated character constant");
          } else if (d === "'") {
            break;
          }
          pos++;
        }
        pos++;
        emit("charConstant", start, pos);
      } else if (c === "$" || (c === "." && !isDigit(input[pos + 1]))) {
        // Variable, field, or a lone dot.
        pos++;
        if (atTerminator(pos)) {
          emit(c === "$" ? "variable" : "dot", start, pos);
        } else {
          while (isAlphaNumeric(input[pos])) pos++;
          if (!atTerminator(pos))
            return fail(pos, `bad character ${describeChar(charAt(input, pos))}`);
          emit(c === "$" ? "variable" : "field", start, pos);
        }
      } else if (c === "+" || c === "-" || c === "." || isDigit(c)) {
        const end = scanNumber(input, pos);
        if (end.bad)
          return fail(start, `bad number syntax: ${JSON.stringify(input.slice(start, end.pos))}`);
        pos = end.pos;
        emit("number", start, pos);
      } else if (isAlphaNumeric(c)) {
        while (isAlphaNumeric(input[pos])) pos++;
        if (!atTerminator(pos))
          return fail(pos, `bad character ${describeChar(charAt(input, pos))}`);
        const word = input.slice(start, pos);
        const type: TokenType = KEYWORDS.has(word)
          ? (word as Keyword)
          : word === "true" || word === "false"
            ? "bool"
            : "identifier";
        emit(type, start, pos);
      } else if (c === "(") {
        pos++;
        parenDepth++;
        emit("leftParen", start, pos);
      } else if (c === ")") {
        pos++;
        parenDepth--;
        if (parenDepth < 0) return fail(start, "unexpected right paren");
        emit("rightParen", start, pos);
      } else if (c.charCodeAt(0) < 0x7f && c.charCodeAt(0) >= 0x20) {
        pos++;
        emit("char", start, pos);
      } else {
        return fail(pos, `unrecognized character in action: ${describeChar(charAt(input, pos))}`);
      }
    }
  }
}

function charAt(s: string, pos: number): string {
  return String.fromCodePoint(s.codePointAt(pos) ?? 0);
}

function scanNumber(input: string, pos: number): { pos: number; bad: boolean } {
  const accept = (set: string): boolean => {
    const c = input[pos];
    if (c !== undefined && set.includes(c)) {
      pos++;
      return true;
    }
    return false;
  };
  const acceptRun = (set: string): void => {
    while (accept(set));
  };
  accept("+-");
  let digits = "0123456789_";
  if (accept("0")) {
    if (accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (accept("oO")) digits = "01234567_";
    else if (accept("bB")) digits = "01_";
  }
  acceptRun(digits);
  if (accept(".")) acceptRun(digits);
  if (digits.length === 11 && accept("eE")) {
    accept("+-");
    acceptRun("0123456789_");
  }
  if (digits.length === 23 && accept("pP")) {
    accept("+-");
    acceptRun("0123456789_");
  }
  accept("i");
  if (isAlphaNumeric(input[pos])) return { pos: pos + 1, bad: true };
  return { pos, bad: false };
}
