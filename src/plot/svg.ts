// What the SVG writers share: escaping text, and splitting a line where its values are not finite.

export const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);

/** Index runs of consecutive i where ok(i), as [from, to] inclusive (a gap breaks a line). */
export function runsWhere(n: number, ok: (i: number) => boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let from = -1;
  for (let i = 0; i <= n; i++) {
    if (i < n && ok(i)) { if (from < 0) from = i; } else if (from >= 0) { out.push([from, i - 1]); from = -1; }
  }
  return out;
}
