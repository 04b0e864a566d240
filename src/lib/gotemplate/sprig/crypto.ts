// Sprig's encryptAES / decryptAES: AES-256-CBC, the key the password's bytes zero-padded
// (or cut) to 32, a random IV in front of the ciphertext, PKCS#7-style padding, base64.
// Certificate, bcrypt and derivePassword functions are not implemented (see docs).
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { def, fail, type FuncDef } from "../funcdef.js";

const BLOCK = 16;

function key(password: string): Buffer {
  const k = Buffer.alloc(32);
  Buffer.from(password, "utf8").copy(k, 0, 0, 32);
  return k;
}

export function encryptAES(password: string, plaintext: string): string {
  if (plaintext === "") return "";
  const content = Buffer.from(plaintext, "utf8");
  const pad = BLOCK - (content.length % BLOCK);
  const iv = randomBytes(BLOCK);
  const cipher = createCipheriv("aes-256-cbc", key(password), iv).setAutoPadding(false);
  const body = Buffer.concat([
    cipher.update(Buffer.concat([content, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]);
  return Buffer.concat([iv, body]).toString("base64");
}

export function decryptAES(password: string, crypt64: string): string {
  if (crypt64 === "") return "";
  // Go's StdEncoding is strict: no whitespace, padding required.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(crypt64))
    fail("illegal base64 data");
  const crypt = Buffer.from(crypt64, "base64");
  // Where Go's CryptBlocks and slicing would panic.
  if (crypt.length < BLOCK) fail("runtime error: slice bounds out of range");
  const body = crypt.subarray(BLOCK);
  if (body.length % BLOCK !== 0) fail("crypto/cipher: input not full blocks");
  if (body.length === 0) fail("runtime error: index out of range [-1]");
  const decipher = createDecipheriv("aes-256-cbc", key(password), crypt.subarray(0, BLOCK));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(body), decipher.final()]);
  // Sprig trusts the last byte as the pad length, checking nothing else.
  const pad = plain[plain.length - 1] as number;
  if (pad > plain.length) fail("runtime error: slice bounds out of range");
  return plain.subarray(0, plain.length - pad).toString("utf8");
}

export const CRYPTO_FUNCS: Record<string, FuncDef> = {
  encryptAES: def(["string", "string"], ([p, s]) => encryptAES(p as string, s as string)),
  decryptAES: def(["string", "string"], ([p, s]) => decryptAES(p as string, s as string)),
};
