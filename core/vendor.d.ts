// Minimal typings for dependencies that ship none.
declare module 'jstat' {
  const jStat: {
    studentt: { inv(p: number, dof: number): number; cdf(x: number, dof: number): number };
    normal: { inv(p: number, mean: number, std: number): number; cdf(x: number, mean: number, std: number): number };
  };
  export default jStat;
}
declare module 'mnist' {
  interface Digit {
    input: number[];
    output: number[];
  }
  const mnist: { [digit: number]: { get(i: number): number[]; length: number; range(a: number, b: number): number[][] }; set(train: number, test: number): { training: Digit[]; test: Digit[] } };
  export default mnist;
}
