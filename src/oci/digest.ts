// Content digests (`sha256:<hex>`, `sha512:<hex>`): computing and checking them.

import { createHash } from "node:crypto";
import { ContentError } from "./errors.js";

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

export function sha256Of(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

function digestWith(algorithm: string, bytes: Uint8Array): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/** The hex part, for file names. */
export function digestHex(digest: string): string {
  return digest.slice(digest.indexOf(":") + 1);
}

export function digestAlgorithm(digest: string): string {
  return digest.slice(0, digest.indexOf(":"));
}

/** Throws unless `bytes` has exactly the expected digest and size. */
export function verifyContent(
  expected: { digest: string; size?: number },
  bytes: Uint8Array,
  where: string,
): void {
  if (!isDigest(expected.digest)) {
    throw new ContentError(`${where}: unsupported or malformed digest "${expected.digest}"`);
  }
  if (expected.size !== undefined && bytes.byteLength !== expected.size) {
    throw new ContentError(
      `${where}: size mismatch: expected ${expected.size} bytes, got ${bytes.byteLength}`,
    );
  }
  const actual = digestWith(digestAlgorithm(expected.digest), bytes);
  if (actual !== expected.digest) {
    throw new ContentError(`${where}: digest mismatch: expected ${expected.digest}, got ${actual}`);
  }
}
