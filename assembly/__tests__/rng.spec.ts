import { streamKey, uniform01, randomU64, PURPOSE_RESET, PURPOSE_ACTION } from '../rng';

describe('rng', () => {
  it('is uniform on [0, 1): mean, variance and 16 equal bins over 160 000 draws', () => {
    const key = streamKey(7, PURPOSE_ACTION, 3, 11);
    const n = 160000;
    const bins = new StaticArray<i32>(16);
    let sum = 0.0, sumSq = 0.0;
    for (let i = 0; i < n; i++) {
      const u = <f64>uniform01(key, <u64>i);
      expect(u >= 0.0 && u < 1.0).toBe(true);
      sum += u; sumSq += u * u;
      bins[<i32>(u * 16.0)]++;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(variance - 1.0 / 12.0)).toBeLessThan(0.002);
    // chi-square with 15 degrees of freedom: the 0.999 quantile is 37.7
    let chi2 = 0.0;
    const expected = <f64>n / 16.0;
    for (let b = 0; b < 16; b++) chi2 += (bins[b] - expected) * (bins[b] - expected) / expected;
    expect(chi2).toBeLessThan(37.7);
  });

  it('keeps streams apart: neighbouring lanes, tasks, purposes and seeds are uncorrelated', () => {
    const n = 50000;
    const keys: u64[] = [
      streamKey(1, PURPOSE_RESET, 0, 0), streamKey(1, PURPOSE_RESET, 0, 1),
      streamKey(1, PURPOSE_RESET, 1, 0), streamKey(1, PURPOSE_ACTION, 0, 0), streamKey(2, PURPOSE_RESET, 0, 0),
    ];
    for (let a = 0; a < keys.length; a++) {
      for (let b = a + 1; b < keys.length; b++) {
        expect(keys[a]).not.toBe(keys[b]);
        let sab = 0.0, sa = 0.0, sb = 0.0, saa = 0.0, sbb = 0.0;
        for (let i = 0; i < n; i++) {
          const x = <f64>uniform01(keys[a], <u64>i), y = <f64>uniform01(keys[b], <u64>i);
          sab += x * y; sa += x; sb += y; saa += x * x; sbb += y * y;
        }
        const cov = sab / n - (sa / n) * (sb / n);
        const corr = cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
        // |corr| of independent streams is ~N(0, 1/n): 0.02 is 4.5 standard deviations
        expect(Math.abs(corr)).toBeLessThan(0.02);
      }
    }
  });

  it('is a pure function of (key, counter)', () => {
    const key = streamKey(123, PURPOSE_ACTION, 4, 5);
    expect(randomU64(key, 99)).toBe(randomU64(key, 99));
    expect(randomU64(key, 99)).not.toBe(randomU64(key, 100));
    expect(streamKey(123, PURPOSE_ACTION, 4, 5)).toBe(key);
  });
});
