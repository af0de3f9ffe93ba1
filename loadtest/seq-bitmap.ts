/**
 * One bit per message sequence number: which messages were accepted (producer side) and which were
 * received (client side). Compact enough to ship across IPC as base64 at the end of a run.
 */

export interface SeqBitmap {
  bits: Uint8Array;
  size: number;
}

export function createBitmap(size: number): SeqBitmap {
  return { bits: new Uint8Array(Math.ceil(size / 8)), size };
}

export function inRange(map: SeqBitmap, seq: number): boolean {
  return Number.isInteger(seq) && seq >= 0 && seq < map.size;
}

export function hasBit(map: SeqBitmap, seq: number): boolean {
  return ((map.bits[seq >> 3] as number) & (1 << (seq & 7))) !== 0;
}

export function setBit(map: SeqBitmap, seq: number): void {
  map.bits[seq >> 3] = (map.bits[seq >> 3] as number) | (1 << (seq & 7));
}

export function countBits(map: SeqBitmap): number {
  let n = 0;
  for (const byte of map.bits) {
    let b = byte;
    while (b) {
      b &= b - 1;
      n++;
    }
  }
  return n;
}

export function orInto(target: SeqBitmap, source: SeqBitmap): void {
  const len = Math.min(target.bits.length, source.bits.length);
  for (let i = 0; i < len; i++) target.bits[i] = (target.bits[i] as number) | (source.bits[i] as number);
}

export function encodeBitmap(map: SeqBitmap): string {
  return Buffer.from(map.bits.buffer, map.bits.byteOffset, map.bits.byteLength).toString("base64");
}

export function decodeBitmap(encoded: string, size: number): SeqBitmap {
  const map = createBitmap(size);
  map.bits.set(Buffer.from(encoded, "base64").subarray(0, map.bits.length));
  return map;
}

/** Calls fn for every set bit, in order. */
export function forEachSet(map: SeqBitmap, fn: (seq: number) => void): void {
  for (let i = 0; i < map.bits.length; i++) {
    const byte = map.bits[i] as number;
    if (byte === 0) continue;
    for (let j = 0; j < 8; j++) if (byte & (1 << j)) fn(i * 8 + j);
  }
}
