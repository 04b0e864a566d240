// One wording for local file errors: Node's errno codes (`EACCES`, `ENOTDIR`, …) in the
// words a user reads elsewhere in kompat ("permission denied", "no such file").

const WORDS: Record<string, string> = {
  ENOENT: "no such file or directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  ELOOP: "too many levels of symbolic links",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EEXIST: "already exists",
  ENAMETOOLONG: "file name too long",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  EIO: "input/output error",
  EBUSY: "device or resource busy",
  ENXIO: "no such device or address",
  ENODEV: "no such device",
  EAGAIN: "would block",
  EINVAL: "invalid argument",
  EXDEV: "crosses a file-system boundary",
  ETXTBSY: "text file busy",
  EOPNOTSUPP: "operation not supported",
  ENODATA: "no data available",
  EFBIG: "too large",
  // kompat's own code, for a path that exists but is neither a file nor a directory.
  ENOTREG: "not a regular file",
};

/** The words for an errno code, or undefined for a code without them. */
export function errnoWords(code: string): string | undefined {
  return Object.hasOwn(WORDS, code) ? WORDS[code] : undefined;
}

export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Why a file operation failed, in words, without the path (the caller names it). */
export function fsReason(e: unknown): string {
  const code = errnoCode(e);
  const words = code === undefined ? undefined : errnoWords(code);
  if (words !== undefined) return words;
  const msg = e instanceof Error ? e.message : String(e);
  // Node's form is "CODE: words, syscall 'path'": keep the words.
  const m = /^[A-Z0-9_]+: ([^,]+)/.exec(msg);
  return m?.[1] ?? msg;
}

/** Is this a file-system error (rather than a bug)? */
export function isFsError(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException | undefined;
  return errnoCode(e) !== undefined && typeof err?.syscall === "string";
}
