// Sprig's wrap and wrapWith (Masterminds/goutils WrapCustom): break a string at spaces into
// lines of at most `width` bytes. Byte offsets, as in Go: a multi-byte character cut by
// wrapWith's long-word breaking comes out as U+FFFD here, as invalid bytes in Go.
import { def, fail, type CallContext, type FuncDef } from "../funcdef.js";

const SPACE = 0x20;

function wrapCustom(
  text: string,
  width: number,
  newline: string,
  wrapLongWords: boolean,
  ctx: CallContext,
): string {
  if (text === "") return "";
  const nl = Buffer.from(newline === "" ? "\n" : newline, "utf8");
  const w = Math.max(width, 1);
  const s = Buffer.from(text, "utf8");
  const out: Buffer[] = [];
  let offset = 0;
  let size = 0;
  while (s.length - offset > w) {
    ctx.charge(1);
    size += w + nl.length;
    if (size > ctx.maxSize) fail(`result exceeds the ${ctx.maxSize}-byte limit`);
    if (s[offset] === SPACE) {
      offset++;
      continue;
    }
    // The last space within the next width+1 bytes.
    const at = s.subarray(offset, w + offset + 1).lastIndexOf(SPACE);
    if (at >= 0) {
      out.push(s.subarray(offset, offset + at), nl);
      offset += at + 1;
    } else if (wrapLongWords) {
      out.push(s.subarray(offset, offset + w), nl);
      offset += w;
    } else {
      // A word longer than the width stays whole, up to the next space.
      const next = s.indexOf(SPACE, w + offset);
      if (next === -1) {
        out.push(s.subarray(offset));
        offset = s.length;
      } else {
        out.push(s.subarray(offset, next), nl);
        offset = next + 1;
      }
    }
  }
  out.push(s.subarray(offset));
  return Buffer.concat(out).toString("utf8");
}

export const WRAP_FUNCS: Record<string, FuncDef> = {
  wrap: def(["int", "string"], ([w, s], ctx) => wrapCustom(s as string, Number(w), "", false, ctx)),
  wrapWith: def(["int", "string", "string"], ([w, sep, s], ctx) =>
    wrapCustom(s as string, Number(w), sep as string, true, ctx),
  ),
};
