/**
 * Area under the ROC curve for labels 0/1 and scores (higher: more likely 1):
 * the Mann-Whitney U statistic from ranks, tied scores sharing their mean rank.
 * Null when either class is absent.
 */
export function rocAuc(labels: ArrayLike<number>, scores: Float64Array): number | null {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRanks = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && scores[order[j]] === scores[order[i]]) j++;
    const meanRank = (i + 1 + j) / 2; // ranks i+1 .. j
    for (let t = i; t < j; t++) {
      if (labels[order[t]] === 1) {
        positives++;
        positiveRanks += meanRank;
      }
    }
    i = j;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;
  return (positiveRanks - (positives * (positives + 1)) / 2) / (positives * negatives);
}
