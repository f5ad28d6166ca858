// Which character separates a CSV's fields. Excel in most of Europe writes
// `;` (its decimal separator being `,`), databases and spreadsheets export
// tabs, some tools `|`: the header row tells, as Python's csv.Sniffer and
// pandas' sep=None guess it. `?delimiter=` overrides the guess.

export const CSV_DELIMITERS = [",", ";", "\t", "|"] as const;
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number];

/** The names `?delimiter=` takes (a tab is awkward in a URL). */
export const DELIMITER_NAMES: Record<string, CsvDelimiter> = { comma: ",", ",": ",", semicolon: ";", ";": ";", tab: "\t", pipe: "|", "|": "|" };

/** The header is looked for in the first MiB of a body at most. */
const HEAD_BYTES = 1 << 20;

/**
 * The candidate that occurs most often outside double quotes in the first
 * line of `head` (the body, or its first chunk: the header); a comma when none
 * occurs or on a tie with it.
 */
export function guessDelimiter(head: string | Buffer): CsvDelimiter {
  const text = typeof head === "string" ? head : head.toString("utf8", 0, Math.min(head.length, HEAD_BYTES));
  const counts = new Map<CsvDelimiter, number>(CSV_DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) break;
    else if (!quoted && counts.has(c as CsvDelimiter)) counts.set(c as CsvDelimiter, counts.get(c as CsvDelimiter)! + 1);
  }
  let best: CsvDelimiter = ",";
  for (const d of CSV_DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}
