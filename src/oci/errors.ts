// Failures talking to a registry or reading an OCI layout. Messages name the URL (without
// credentials or signed query strings) and the HTTP status, never a secret.

import { printable as escapeControls } from "../lib/text/untrusted.js";

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly url?: string,
    readonly status?: number,
    /** The distribution-spec error code from the body, e.g. `MANIFEST_UNKNOWN`. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

/** The content does not match what was asked for (digest, size, media type, JSON shape). */
export class ContentError extends RegistryError {
  constructor(message: string, url?: string) {
    super(message, url);
    this.name = "ContentError";
  }
}

/** The manifest, tag, blob or repository does not exist. */
export class NotFoundError extends RegistryError {
  constructor(message: string, url?: string, status?: number, code?: string) {
    super(message, url, status, code);
    this.name = "NotFoundError";
  }
}

const SECRET_PARAM = /sig|token|key|credential|auth|secret|password/i;

/** A URL fit for messages: no user-info, and query parameters that look like signatures dropped. */
export function safeUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(url.toString());
  } catch {
    return "<invalid URL>";
  }
  u.username = "";
  u.password = "";
  let redacted = false;
  for (const name of [...u.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) {
      u.searchParams.delete(name);
      redacted = true;
    }
  }
  const s = u.toString();
  return redacted ? `${s}${u.search ? "&" : "?"}…` : s;
}

/**
 * Text from a registry or a helper made fit for a message: control characters escaped
 * (lib/text/untrusted's one escaping), at most `max` characters (then `…`).
 */
export function printable(text: string, max = 200): string {
  return escapeControls(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** A credential source that exists but cannot be used: bad JSON, failing helper. */
export class CredentialError extends Error {
  override name = "CredentialError";
}
