import { test } from "node:test";
import assert from "node:assert/strict";
import { levelFlags, x86Level } from "../../../src/features/cpu/levels.js";

const V1 = "SYSCALL CMOV CMPXCHG8 X87 FXSR MMX SSE SSE2";
const V2 = `${V1} CX16 LAHF POPCNT SSE3 SSE4 SSE42 SSSE3`;
const V3 = `${V2} AVX AVX2 BMI1 BMI2 F16C FMA3 LZCNT MOVBE OSXSAVE`;
const V4 = `${V3} AVX512F AVX512BW AVX512CD AVX512DQ AVX512VL`;
const set = (s: string): Set<string> => new Set(s.split(" "));

test("psABI levels are cumulative", () => {
  assert.equal(x86Level(set(V1)), 1);
  assert.equal(x86Level(set(V2)), 2);
  assert.equal(x86Level(set(V3)), 3);
  assert.equal(x86Level(set(V4)), 4);
  assert.deepEqual(levelFlags(3), ["X86_64_V1", "X86_64_V2", "X86_64_V3"]);
  assert.deepEqual(levelFlags(0), []);
});

test("a missing feature lowers the level", () => {
  assert.equal(x86Level(set(V4.replace(" AVX512BW", ""))), 3, "AVX-512 without BW");
  assert.equal(x86Level(set(V2.replace(" LAHF", ""))), 1, "no LAHF");
  assert.equal(x86Level(set(V3.replace(" OSXSAVE", ""))), 2, "AVX state not enabled");
  assert.equal(x86Level(set(V4.replace("SYSCALL ", ""))), 0, "neither SYSCALL nor SYSENTER");
  assert.equal(x86Level(set(V4.replace("SYSCALL", "SYSEE"))), 4, "SYSENTER suffices");
  assert.equal(x86Level(set("SYSCALL SSE")), 0);
});
