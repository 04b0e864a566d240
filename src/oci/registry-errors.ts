// What a registry's error answers mean, in words: the distribution-spec error body's code and
// message, a 404 as NotFoundError, an unexpected status, and the refusals of authentication
// that go to another origin; and the Content-Type an answer says.

import { AuthError } from "./auth-challenge.js";
import { NotFoundError, RegistryError, printable, safeUrl } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./transport.js";

export function contentType(res: HttpResponse): string | undefined {
  const v = res.headers["content-type"];
  if (v === undefined) return undefined;
  return v.split(";")[0]?.trim().toLowerCase() || undefined;
}

/** A 401 from another origin (a redirect target, an upload location): never answered. */
export function foreignChallenge(
  req: HttpRequest,
  res: HttpResponse,
  registry: string,
): RegistryError {
  const other = new URL(res.url).origin;
  const how = new URL(req.url).origin === registry ? "was redirected to" : "was sent to";
  return new RegistryError(
    `${req.method} ${safeUrl(req.url)} ${how} ${safeUrl(res.url)}, which asks for authentication (401); ` +
      `the credentials for ${registry} are never sent to another host (${other})`,
    safeUrl(res.url),
    401,
  );
}

export function authFailure(e: unknown, url: string): Error {
  if (e instanceof AuthError)
    return new RegistryError(
      `authentication for ${safeUrl(url)} failed: ${e.message}`,
      safeUrl(url),
    );
  return e as Error;
}

interface RegistryErrorBody {
  errors?: { code?: unknown; message?: unknown }[];
}

function firstError(res: HttpResponse): { code?: string; message?: string } {
  try {
    const v = JSON.parse(Buffer.from(res.body).toString("utf8")) as RegistryErrorBody;
    const e = Array.isArray(v.errors) ? v.errors[0] : undefined;
    if (e === undefined) return {};
    const clean = (s: unknown) => (typeof s === "string" ? printable(s, 200) : undefined);
    const out: { code?: string; message?: string } = {};
    const code = clean(e.code);
    const message = clean(e.message);
    if (code !== undefined) out.code = code;
    if (message !== undefined) out.message = message;
    return out;
  } catch {
    return {};
  }
}

export function errorCode(res: HttpResponse): string | undefined {
  return firstError(res).code;
}

export function errorCodeText(res: HttpResponse): string {
  const { code, message } = firstError(res);
  if (code === undefined && message === undefined) return "";
  return `; registry says ${[code, message].filter((x) => x !== undefined).join(": ")}`;
}

export function notFound(res: HttpResponse, what: string): NotFoundError {
  const code = errorCode(res);
  const msg = code === "NAME_UNKNOWN" ? `${what}: the repository does not exist` : what;
  return new NotFoundError(
    `${msg} (GET ${safeUrl(res.url)}: 404${code ? ` ${code}` : ""})`,
    safeUrl(res.url),
    404,
    code,
  );
}

const REASONS: Record<number, string> = {
  400: "bad request",
  403: "forbidden (no permission)",
  405: "method not allowed",
  413: "payload too large",
  429: "too many requests",
  500: "internal server error",
  502: "bad gateway",
  503: "service unavailable",
  504: "gateway timeout",
};

export function expect(res: HttpResponse, ok: number[], action: string): void {
  if (ok.includes(res.status)) return;
  const reason = REASONS[res.status] ?? "unexpected status";
  throw new RegistryError(
    `${action}: ${safeUrl(res.url)} answered ${res.status} ${reason}${errorCodeText(res)}`,
    safeUrl(res.url),
    res.status,
    errorCode(res),
  );
}
