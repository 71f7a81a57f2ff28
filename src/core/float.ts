// Numbers as the user typed them: task parameters are float32 (the physics' lanes), so a range
// typed as 9.8 is stored as 9.800000190734863; shown or saved, it is the shortest decimal that
// rounds to the same float32 (9.8), which reads back to the same bits.

/** The shortest decimal (as a number) whose float32 rounding equals x's; non-finite values as they are. */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const d = Number(f.toPrecision(digits));
    if (Math.fround(d) === f) return d;
  }
  return f; // 9 significant digits always round-trip a float32; not reached
}

/** Ranges { name: [low, high] } with each bound as shortestFloat32 gives it (what a file or a line shows). */
export function shortestRanges(ranges: Readonly<Record<string, readonly [number, number]>>): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(ranges).map(([k, [lo, hi]]) => [k, [shortestFloat32(lo), shortestFloat32(hi)]]));
}
