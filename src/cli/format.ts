import Table from "cli-table3";

/** Prints rows as a table, or "(none)" when there are none. */
export function printTable(head: string[], rows: (string | number)[][]): void {
  if (rows.length === 0) {
    console.log("(none)");
    return;
  }
  const table = new Table({ head, style: { head: [], border: [], compact: true } });
  table.push(...rows.map((row) => row.map(String)));
  console.log(table.toString());
}

export function formatNumber(value: number | null | undefined, digits = 4): string {
  return value === null || value === undefined ? "" : String(+value.toFixed(digits));
}

export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
