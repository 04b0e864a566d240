// Docker credential helpers (`docker-credential-<name> get`): found on PATH, run with the
// server URL on stdin, bounded in time and output, never quoted in a message.

import { spawn } from "node:child_process";
import type { CredentialOptions, FoundCredential } from "./credentials.js";
import { CredentialError, printable } from "./errors.js";

const HELPER_NOT_FOUND = "credentials not found in native keychain";
const HELPER_OUTPUT_LIMIT = 1024 * 1024;

/**
 * Run `docker-credential-<name> get` with the server URL on stdin. "credentials not found"
 * means none; any other failure is a CredentialError that never quotes the helper's stdout.
 */
export function runHelper(
  name: string,
  serverUrl: string,
  opts: CredentialOptions,
  configuredBy: string,
): Promise<FoundCredential | undefined> {
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    return Promise.reject(
      new CredentialError(`invalid credential helper name "${name}" (${configuredBy})`),
    );
  const program = `docker-credential-${name}`;
  const source = `credential helper ${program} (${configuredBy})`;
  const timeoutMs = opts.helperTimeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
    let child;
    try {
      // Its own process group, so that ending it ends whatever it started: a child that
      // inherited its stdout (`sleep 120`) would otherwise hold kompat open until it exits.
      child = spawn(program, ["get"], { env, stdio: ["pipe", "pipe", "pipe"], detached: true });
    } catch (e) {
      reject(new CredentialError(`cannot run ${program}: ${(e as Error).message}`));
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let settled = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
      child.stdout.destroy();
      child.stderr.destroy();
    };
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(() => {
      killGroup();
      finish(() =>
        reject(
          new CredentialError(
            `${program} did not answer within ${Math.round(timeoutMs / 100) / 10} s (${configuredBy})`,
          ),
        ),
      );
    }, timeoutMs);
    const take = (into: Buffer[]) => (b: Buffer) => {
      size += b.length;
      if (size > HELPER_OUTPUT_LIMIT) {
        killGroup();
        finish(() =>
          reject(
            new CredentialError(
              `${program} printed more than ${HELPER_OUTPUT_LIMIT >> 20} MiB (${configuredBy})`,
            ),
          ),
        );
      } else into.push(b);
    };
    child.stdout.on("data", take(out));
    child.stderr.on("data", take(err));
    child.stdin.on("error", () => {}); // a helper that exits without reading stdin
    child.on("error", (e: NodeJS.ErrnoException) => {
      const why =
        e.code === "ENOENT"
          ? `${program} was not found on PATH (${configuredBy})`
          : `cannot run ${program}: ${e.message}`;
      finish(() => reject(new CredentialError(why)));
    });
    // The helper is done: whatever it left running must not keep its stdout open.
    child.on("exit", () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // no process left in the group
      }
    });
    child.on("close", (code, signal) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      if (code !== 0) {
        if (stdout.includes(HELPER_NOT_FOUND) || stderr.includes(HELPER_NOT_FOUND))
          return finish(() => resolve(undefined));
        // Helpers print their error on stdout; an error message is not a secret, but keep
        // it to one short line in case a broken helper prints more.
        const line = printable((stderr.trim() || stdout.trim()).split("\n")[0] ?? "", 200);
        const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
        return finish(() =>
          reject(
            new CredentialError(`${program} ${how}${line ? `: ${line}` : ""} (${configuredBy})`),
          ),
        );
      }
      let v: unknown;
      try {
        v = JSON.parse(stdout);
      } catch {
        return finish(() =>
          reject(
            new CredentialError(`${program} printed something that is not JSON (${configuredBy})`),
          ),
        );
      }
      const o = (typeof v === "object" && v !== null ? v : {}) as Record<string, unknown>;
      const user = typeof o.Username === "string" ? o.Username : "";
      const secret = typeof o.Secret === "string" ? o.Secret : "";
      finish(() => {
        if (secret === "") resolve(undefined);
        else if (user === "<token>") resolve({ kind: "identity", token: secret, source });
        else resolve({ kind: "basic", username: user, password: secret, source });
      });
    });
    child.stdin.end(serverUrl);
  });
}
