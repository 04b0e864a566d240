// Go text/template for `varsTemplate`. STUB: the real engine replaces this file.
// No JavaScript library implements Go's template language, so kompat carries its own.

export class TemplateError extends Error {
  constructor(
    message: string,
    readonly line?: number,
    readonly col?: number,
  ) {
    super(message);
    this.name = "TemplateError";
  }
}

export interface Template {
  readonly source: string;
}

export interface ExecuteOptions {
  /** Output cap in bytes (default 1 MiB). */
  maxOutput?: number;
}

/** Parses (and checks function names) like Go's template.New("").Option("missingkey=error").Funcs(sprig).Parse. */
export function parseTemplate(source: string): Template {
  throw new TemplateError(`template engine not implemented (${source.length} bytes)`);
}

/** Executes over plain JS data: objects are Go maps, arrays are slices. */
export function executeTemplate(t: Template, data: unknown, opts: ExecuteOptions = {}): string {
  void data;
  void opts;
  throw new TemplateError(`template engine not implemented (${t.source.length} bytes)`);
}
