// The `mnist` package ships no types; this is the part the tests and benchmark use.
declare module "mnist" {
  interface Digit {
    length: number;
    /** Samples start..end inclusive, each 784 values in [0, 1]. */
    range(start: number, end: number): number[][];
  }
  const mnist: Digit[] & { set(training: number, test: number): { training: { input: number[]; output: number[] }[]; test: { input: number[]; output: number[] }[] } };
  export default mnist;
}
