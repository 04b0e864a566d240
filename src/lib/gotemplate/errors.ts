/** Every failure of the template engine, at parse or execution time, is a TemplateError. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly col?: number,
    /** The construct being parsed or executed ("range", "printf", ...), when known. */
    readonly construct?: string,
  ) {
    super(message);
    this.name = "TemplateError";
  }
}

/** A position in the template source: 1-based line and column (in UTF-16 units). */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

/** Builds a parse-time error in Go's style, with a column added: `template: 3:5: <message>`. */
export function parseError(pos: Pos, message: string): TemplateError {
  return new TemplateError(`template: ${pos.line}:${pos.col}: ${message}`, pos.line, pos.col);
}
