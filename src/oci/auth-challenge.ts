// Parsing what a registry says about authentication: `WWW-Authenticate` challenges (RFC 9110)
// and token scopes (merging, the repository they name), apart from the authenticator that
// acts on them (auth.ts).

import { printable } from "./errors.js";

/** Authentication failed or cannot be attempted; the message names the URL, never a secret. */
export class AuthError extends Error {
  override name = "AuthError";
}

export type Operation = "pull" | "push" | "delete";

/** Scopes an operation on `repository` needs: pull; pull,push; delete. */
export function scopesFor(repository: string, op: Operation): string[] {
  const actions = op === "push" ? "pull,push" : op;
  return [`repository:${repository}:${actions}`];
}

// --- challenges ---------------------------------------------------------------------------

export interface Challenge {
  /** Lower-case scheme: `basic`, `bearer`, … */
  scheme: string;
  /** Lower-case parameter names. */
  params: Record<string, string>;
}

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

/**
 * Parse a `WWW-Authenticate` value (RFC 9110 §11.6.1): one or more challenges, each a scheme
 * followed by comma-separated `name=value` parameters, values a token or a quoted string.
 * Throws AuthError on a malformed value.
 */
export function parseChallenges(header: string): Challenge[] {
  const s = header;
  let i = 0;
  const out: Challenge[] = [];
  const fail = (why: string): never => {
    throw new AuthError(`malformed WWW-Authenticate header "${printable(s, 120)}": ${why}`);
  };
  const skipWs = () => {
    while (i < s.length && (s[i] === " " || s[i] === "\t")) i++;
  };
  const token = () => {
    const start = i;
    while (i < s.length && TCHAR.test(s[i] ?? "")) i++;
    return s.slice(start, i);
  };
  const quoted = () => {
    i++; // opening quote
    let v = "";
    while (i < s.length && s[i] !== '"') {
      if (s[i] === "\\") i++;
      if (i >= s.length) break;
      v += s[i];
      i++;
    }
    if (i >= s.length) fail("unterminated quoted string");
    i++; // closing quote
    return v;
  };
  for (;;) {
    while (i < s.length && (s[i] === "," || s[i] === " " || s[i] === "\t")) i++;
    if (i >= s.length) break;
    const scheme = token();
    if (scheme === "") fail(`unexpected ${JSON.stringify(s[i])} at position ${i}`);
    const ch: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(ch);
    skipWs();
    // Parameters until the next scheme (a token not followed by "=") or the end.
    for (;;) {
      while (i < s.length && (s[i] === "," || s[i] === " " || s[i] === "\t")) i++;
      if (i >= s.length) break;
      const at = i;
      const name = token();
      if (name === "") fail(`unexpected ${JSON.stringify(s[i])} at position ${i}`);
      skipWs();
      if (s[i] !== "=") {
        i = at; // a new challenge starts here
        break;
      }
      // token68 (`Negotiate abc==`): "=" padding up to the end or a comma, as the only item.
      let j = i;
      while (s[j] === "=") j++;
      let k = j;
      while (s[k] === " " || s[k] === "\t") k++;
      if (Object.keys(ch.params).length === 0 && (k >= s.length || s[k] === ",")) {
        ch.params[""] = s.slice(at, j);
        i = j;
        continue;
      }
      i++;
      skipWs();
      let value: string;
      if (s[i] === '"') value = quoted();
      else {
        // Lenient: unquoted values up to "," or space (some registries leave URLs unquoted).
        const start = i;
        while (i < s.length && !/[,\s"]/.test(s[i] ?? "")) i++;
        value = s.slice(start, i);
      }
      const key = name.toLowerCase();
      if (!(key in ch.params)) ch.params[key] = value;
      skipWs();
      if (i < s.length && s[i] !== ",") fail(`expected "," at position ${i}`);
    }
  }
  return out;
}

// --- scopes -------------------------------------------------------------------------------

/**
 * Merge scopes: actions of the same resource are united (`repository:a:pull` +
 * `repository:a:push` → `repository:a:pull,push`), `*` absorbs the others, result sorted.
 */
export function mergeScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  for (const raw of scopes) {
    const scope = raw.trim();
    if (scope === "") continue;
    const cut = scope.lastIndexOf(":");
    if (cut <= 0 || scope.indexOf(":") === cut) {
      opaque.add(scope); // not type:name:actions
      continue;
    }
    const resource = scope.slice(0, cut);
    const set = byResource.get(resource) ?? new Set<string>();
    for (const a of scope.slice(cut + 1).split(",")) if (a !== "") set.add(a);
    byResource.set(resource, set);
  }
  const out = [...opaque];
  for (const [resource, actions] of byResource) {
    if (actions.size === 0) continue;
    const list = actions.has("*") ? ["*"] : [...actions].sort();
    out.push(`${resource}:${list.join(",")}`);
  }
  return out.sort();
}

export function repositoryOf(scopes: readonly string[]): string | undefined {
  for (const s of scopes) {
    const m = /^repository(?:\([^)]*\))?:(.+):[^:]*$/.exec(s);
    if (m) return m[1];
  }
  return undefined;
}
