// Go's GOOS/GOARCH names, which OCI platforms use (image-spec: "values SHOULD be from
// GOOS/GOARCH"), and the mapping from Node's process.arch to them.

/** go/build's known operating systems (GOOS values). */
export const KNOWN_GOOS: ReadonlySet<string> = new Set([
  "aix",
  "android",
  "darwin",
  "dragonfly",
  "freebsd",
  "hurd",
  "illumos",
  "ios",
  "js",
  "linux",
  "nacl",
  "netbsd",
  "openbsd",
  "plan9",
  "solaris",
  "wasip1",
  "windows",
  "zos",
]);

/** go/build's known architectures (GOARCH values). */
export const KNOWN_GOARCH: ReadonlySet<string> = new Set([
  "386",
  "amd64",
  "amd64p32",
  "arm",
  "armbe",
  "arm64",
  "arm64be",
  "loong64",
  "mips",
  "mipsle",
  "mips64",
  "mips64le",
  "mips64p32",
  "mips64p32le",
  "ppc",
  "ppc64",
  "ppc64le",
  "riscv",
  "riscv64",
  "s390",
  "s390x",
  "sparc",
  "sparc64",
  "wasm",
]);

/**
 * GOARCH for Node's `process.arch`. Node names some architectures for both byte orders
 * (`ppc64`, and `mips` in some builds): the byte order decides. Unknown names pass through.
 */
export function goArch(nodeArch: string, littleEndian: boolean): string {
  switch (nodeArch) {
    case "x64":
      return "amd64";
    case "ia32":
      return "386";
    case "ppc64":
      return littleEndian ? "ppc64le" : "ppc64";
    case "mips":
      return littleEndian ? "mipsle" : "mips";
    case "mipsel":
      return "mipsle";
    case "mips64el":
      return "mips64le";
    default:
      return nodeArch; // arm, arm64, loong64, riscv64, s390x, ppc, s390: the same in Go
  }
}
