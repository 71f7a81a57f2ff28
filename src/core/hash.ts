// The one content hash of the library (run identities, checkpoints, weight files). Isomorphic.

/**
 * FNV-1a, 64-bit, over bytes; returned as 16 hex digits. The 64-bit product by the FNV prime
 * 2^40 + 0x1b3 is done on four 16-bit limbs so it stays exact in doubles.
 */
export function fnv1a64(bytes: Uint8Array): string {
  // offset basis 0xcbf29ce484222325
  let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2;
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i];
    // (h3 h2 h1 h0) * (0x0100 << 32 | 0x01b3), mod 2^64
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + h0 * 0x100 + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + h1 * 0x100 + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return [h3, h2, h1, h0].map((h) => h.toString(16).padStart(4, '0')).join('');
}
