// Reads raw CPUID leaves through Linux's cpuid driver: a 16-byte pread of /dev/cpu/N/cpuid at
// offset `leaf | subleaf << 32` returns EAX, EBX, ECX, EDX as executed on CPU N. Needs the
// `cpuid` module and read access (root, usually); otherwise discovery uses /proc/cpuinfo.
//
// N is the CPU this thread runs on, as the CPUID instruction NFD executes runs wherever its
// goroutine is: the kernel then executes each read locally instead of interrupting another
// CPU (in a VM 6 µs instead of 35 µs a read, about 70 reads). CPU 0 when that is unknown.

import { close, constants, fstat, open, readFileSync, readSync } from "node:fs";
import { promisify } from "node:util";
import type { HostRoot } from "../../hostroot.js";
import { CpuidLeaves, leavesToRead, type Regs } from "./leaves.js";
import { formatCpuidRecording, parseCpuidRecording } from "./record.js";

const CPUID_DEVICE = "/dev/cpu/0/cpuid";
const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);

/** The cpuid driver's character-device major (the kernel's devices.txt). */
const CPUID_MAJOR = 203;

export type CpuidRead = { leaves: CpuidLeaves } | { reason: string };

/**
 * The leaves kompat's decoders use, or a reason why the device cannot be used. Only a
 * character device counts, or under --host-root the recording capture-host leaves in the
 * device's place (a copied tree cannot hold a device, and a file does not answer per-leaf
 * reads).
 */
export async function readCpuidDevice(host: HostRoot): Promise<CpuidRead> {
  if (host.root !== undefined) {
    const recorded = await readRecording(host);
    if (recorded !== undefined) return recorded;
  }
  const read = await readDevice(host);
  // capture-host copies the leaves as a recording.
  if ("leaves" in read && host.trace !== undefined)
    host.noteRead(CPUID_DEVICE, Buffer.from(formatCpuidRecording(read.leaves)));
  return read;
}

/** The recording in a host tree; undefined when there is no regular file to read. */
async function readRecording(host: HostRoot): Promise<CpuidRead | undefined> {
  const path = host.local(CPUID_DEVICE);
  try {
    if (!(await host.stat(CPUID_DEVICE)).isFile()) return undefined;
  } catch {
    return undefined;
  }
  let text: string;
  try {
    text = await host.readText(CPUID_DEVICE);
  } catch (err) {
    return { reason: `${path}: ${errText(err)}` };
  }
  const parsed = parseCpuidRecording(text);
  if ("error" in parsed)
    return {
      reason: `${path} is a file, not the cpuid device nor a CPUID recording (${parsed.error})`,
    };
  return { leaves: parsed };
}

async function readDevice(host: HostRoot): Promise<CpuidRead> {
  const cpu = currentCpu();
  const candidates = cpu > 0 ? [cpuidDevice(cpu), CPUID_DEVICE] : [CPUID_DEVICE];
  let path = host.local(CPUID_DEVICE);
  let fd: number | undefined;
  let failure = "";
  // Whatever sits there (a FIFO or a tty in a planted tree) must not block or be adopted.
  // Under a root the path is resolved inside the tree, and the node opened without
  // following a link: `dev/cpu -> /dev/cpu` in a tree must not read this machine's CPU.
  const flags =
    constants.O_RDONLY |
    constants.O_NONBLOCK |
    constants.O_NOCTTY |
    (host.root !== undefined ? constants.O_NOFOLLOW : 0);
  for (const c of candidates) {
    path = host.local(c);
    try {
      fd = await openAsync(await host.open(c), flags);
      break;
    } catch (err) {
      failure = `${path}: ${errText(err)}`;
    }
  }
  if (fd === undefined) return { reason: failure };
  try {
    const st = await fstatAsync(fd);
    if (!st.isCharacterDevice()) return { reason: `${path} is not a device` };
    // Only the cpuid driver's node: reads below are synchronous, and another device (a tty
    // linked there in a planted tree) could block them forever.
    if (major(st.rdev) !== CPUID_MAJOR) return { reason: `${path} is not the cpuid device` };
    return { leaves: readLeaves(fd) };
  } catch (err) {
    return { reason: `${path}: ${errText(err)}` };
  } finally {
    await closeAsync(fd).catch(() => undefined);
  }
}

/**
 * Synchronous: each read is one CPUID instruction the kernel runs, never I/O. About 70 of
 * them as async reads cost 3-5 ms of thread-pool round trips; these, well under 1 ms.
 */
function readLeaves(fd: number): CpuidLeaves {
  const buf = Buffer.alloc(16);
  const read = (leaf: number, sub: number): Regs => {
    const position = BigInt(leaf) | (BigInt(sub) << 32n);
    const bytesRead = readSync(fd, buf, 0, 16, position);
    if (bytesRead !== 16) throw new Error(`short read of CPUID leaf 0x${leaf.toString(16)}`);
    return [buf.readUInt32LE(0), buf.readUInt32LE(4), buf.readUInt32LE(8), buf.readUInt32LE(12)];
  };
  const leaves = new CpuidLeaves();
  const std = read(0, 0);
  const ext = read(0x80000000, 0);
  leaves.set(0, 0, std).set(0x80000000, 0, ext);
  for (const [leaf, sub] of leavesToRead(std[0], ext[0])) {
    if (!leaves.has(leaf, sub)) leaves.set(leaf, sub, read(leaf, sub));
  }
  return leaves;
}

function cpuidDevice(cpu: number): string {
  return `/dev/cpu/${cpu}/cpuid`;
}

/**
 * The CPU this thread last ran on: field 39 of /proc/thread-self/stat (after the `)` that
 * ends the command name, which may itself hold spaces and parentheses). 0 when unknown.
 * Synchronous: procfs answers for the calling thread without I/O.
 */
export function currentCpu(): number {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "latin1");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = Number(fields[36]);
    return Number.isInteger(cpu) && cpu >= 0 ? cpu : 0;
  } catch {
    return 0;
  }
}

/** Linux's major(): bits 8-19 of the device number (glibc's encoding, as stat gives it). */
function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

function errText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ?? err.message;
  }
  return String(err);
}
