import { calendarFields, decimalYear, newCalendarFields } from "../../calendar.js";
import { readDates } from "../../column-reader.js";
import { median, mostFrequentNumber, numberStats } from "../../column-statistics.js";
import { parseDate } from "../../dates.js";
import { FeatureError } from "../../errors.js";
import type { Column } from "../../table.js";
import { bad, type ResolvedConfig } from "../config.js";
import type { DateFeature, OutputColumn, OutputEncoding } from "../types.js";
import { indicatorOutput, missingHandling, type FeatureWriter } from "./writer.js";

const CYCLES: [OutputEncoding, OutputEncoding, string][] = [
  ["monthSin", "monthCos", "month"],
  ["weekdaySin", "weekdayCos", "day of week"],
  ["yearDaySin", "yearDayCos", "day of year"],
];
const HOUR: [OutputEncoding, OutputEncoding, string] = ["hourSin", "hourCos", "hour"];

export function fitDate(column: Column, rows: ArrayLike<number>, config: ResolvedConfig, offset: number): DateFeature {
  const { values } = readDates(column);
  const stats = numberStats(values, rows);
  if (!stats) throw new FeatureError("NO_DATA", "the column has no value in the training rows", { column: column.name });
  let sum = 0;
  let squares = 0;
  const fields = newCalendarFields();
  const years: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const value = values[rows[i]];
    if (!Number.isNaN(value)) years.push(decimalYear(calendarFields(value, fields)));
  }
  for (const year of years) sum += year;
  const mean = sum / years.length;
  for (const year of years) squares += (year - mean) ** 2;
  let fill: number | null = null;
  if (config.missing === "mean") fill = stats.mean;
  if (config.missing === "median") fill = median(values, rows);
  if (config.missing === "mostFrequent") fill = mostFrequentNumber(values, rows);
  if (config.missing === "constant") {
    const date = parseDate(String(config.fillValue ?? ""));
    if (!date) bad(column.name, "the constant strategy of a date column needs a fillValue that is a date (YYYY-MM-DD or ISO 8601)");
    fill = date.epochMs;
  }
  const missing = missingHandling(config, fill, rows.length - stats.count);
  const type = config.type === "datetime" ? "datetime" : "date";
  const width = 1 + 2 * CYCLES.length + (type === "datetime" ? 2 : 0) + (missing.indicator ? 1 : 0);
  return { type, column: column.name, offset, width, missing, year: { mean, std: Math.sqrt(squares / years.length) } };
}

export function dateOutputs(feature: DateFeature): OutputColumn[] {
  const { column } = feature;
  const cycles = feature.type === "datetime" ? [...CYCLES, HOUR] : CYCLES;
  const outputs: OutputColumn[] = [{ name: `${column} year`, column, encoding: "year" }];
  for (const [sin, cos, what] of cycles) {
    outputs.push({ name: `${column} ${what} (sin)`, column, encoding: sin }, { name: `${column} ${what} (cos)`, column, encoding: cos });
  }
  if (feature.missing.indicator) outputs.push(indicatorOutput(column));
  return outputs;
}

export function dateWriter(feature: DateFeature, column: Column): FeatureWriter {
  const { values } = readDates(column);
  const fields = newCalendarFields();
  const fill = typeof feature.missing.fill === "number" ? feature.missing.fill : Number.NaN;
  const std = feature.year.std || 1;
  const datetime = feature.type === "datetime";
  return {
    missing: (row) => Number.isNaN(values[row]),
    write(row, out, at) {
      const absent = Number.isNaN(values[row]);
      calendarFields(absent ? fill : values[row], fields);
      out[at] = (decimalYear(fields) - feature.year.mean) / std;
      cycle(out, at + 1, (fields.month - 1) / 12);
      cycle(out, at + 3, fields.weekday / 7);
      cycle(out, at + 5, (fields.dayOfYear - 1) / fields.daysInYear);
      if (datetime) cycle(out, at + 7, fields.hour / 24);
      if (feature.missing.indicator && absent) out[at + (datetime ? 9 : 7)] = 1;
    },
  };
}

/** A position on a cycle (0 <= turn < 1) as a point on the unit circle: December sits next to January. */
function cycle(out: Float32Array, at: number, turn: number): void {
  out[at] = Math.sin(2 * Math.PI * turn);
  out[at + 1] = Math.cos(2 * Math.PI * turn);
}
