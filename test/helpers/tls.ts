// A throw-away certificate authority and a server certificate for 127.0.0.1, ::1 and
// localhost, made with the openssl CLI at test time (no key material in the repository).

import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface TlsFiles {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** PEM text of the same files. */
  ca: string;
  cert: string;
  key: string;
}

let shared: Promise<TlsFiles> | undefined;

/** One CA and server certificate per test process (generation costs a few hundred ms). */
export function testTls(): Promise<TlsFiles> {
  shared ??= makeTls().then((t) => {
    process.once("exit", () => rmSync(t.dir, { recursive: true, force: true }));
    return t;
  });
  return shared;
}

/** A fresh CA and server certificate in a new temp dir; `cleanup` removes it. */
export async function makeTls(): Promise<TlsFiles & { cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "kompat-tls-"));
  const f = (n: string) => join(dir, n);
  const openssl = async (args: string[]) => {
    try {
      await run("openssl", args, { cwd: dir });
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(`openssl ${args[0]} failed: ${err.stderr ?? err.message}`, { cause: e });
    }
  };
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  await openssl([
    "req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.crt"), "-days", "2",
    "-subj", "/CN=kompat test CA",
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
  ]); // prettier-ignore
  await openssl([
    "req", "-new", ...ec, "-keyout", f("server.key"), "-out", f("server.csr"),
    "-subj", "/CN=localhost",
  ]); // prettier-ignore
  await writeFile(
    f("server.ext"),
    [
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "",
    ].join("\n"),
  );
  await openssl([
    "x509", "-req", "-in", f("server.csr"), "-CA", f("ca.crt"), "-CAkey", f("ca.key"),
    "-CAcreateserial", "-days", "2", "-extfile", f("server.ext"), "-out", f("server.crt"),
  ]); // prettier-ignore
  const [ca, cert, key] = await Promise.all(
    ["ca.crt", "server.crt", "server.key"].map((n) => readFile(f(n), "utf8")),
  );
  return {
    dir,
    caFile: f("ca.crt"),
    certFile: f("server.crt"),
    keyFile: f("server.key"),
    ca: ca as string,
    cert: cert as string,
    key: key as string,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
