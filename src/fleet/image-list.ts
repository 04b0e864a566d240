// A list of image references: one a line, `#` starts a comment, blank lines ignored.
// Each reference is parsed, so a typo is reported with its line before anything is fetched.

import { InvalidReferenceError, parseReference } from "../oci/reference.js";

export class ImageListError extends Error {
  override name = "ImageListError";
}

/** Up to this many references: each costs requests and a row. */
export const MAX_IMAGES = 10_000;

/** `single`: the text is one reference given on the command line (`where` is the flag). */
export function parseImageList(text: string, where: string, single = false): string[] {
  const lines = single ? [text] : text.split(/\r?\n/);
  const out: string[] = [];
  lines.forEach((raw, i) => {
    const ref = single ? raw : raw.replace(/(^|\s)#.*$/, "").trim();
    if (ref === "") {
      if (single) throw new ImageListError(`${where}: empty image reference`);
      return;
    }
    const at = single ? `${where} ${ref}` : `${where}:${i + 1}`;
    if (/\s/.test(ref))
      throw new ImageListError(`${at}: expected one reference a line, got ${JSON.stringify(ref)}`);
    try {
      parseReference(ref);
    } catch (e) {
      if (e instanceof InvalidReferenceError) throw new ImageListError(`${at}: ${e.message}`);
      throw e;
    }
    out.push(ref);
    if (out.length > MAX_IMAGES)
      throw new ImageListError(`${where}: more than ${MAX_IMAGES} images`);
  });
  return out;
}
