// The part of jStat (npm jstat, no type declarations of its own) the lander's statistics use.
declare module 'jstat' {
  interface JStat {
    normal: { cdf(x: number, mean: number, sd: number): number; inv(p: number, mean: number, sd: number): number };
    studentt: { cdf(x: number, dof: number): number; inv(p: number, dof: number): number };
    /** The regularized lower incomplete gamma function P(a, x). */
    lowRegGamma(a: number, x: number): number;
  }
  const jStat: JStat;
  export default jStat;
}
