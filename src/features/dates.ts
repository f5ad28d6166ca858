// Strict dates: ISO 8601 calendar dates and date-times, YYYY/MM/DD, and
// DD.MM.YYYY (day first, as every country that writes dots does). Free text is
// never a date (no Date.parse): "May 5", "5/6/2020" (which order?) and "2020"
// stay strings.
// Times without an offset are read as UTC, so that a value means the same
// instant on every machine.

const DATE = /^(\d{4})([-/])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** N/N/YYYY with an optional HH:MM(:SS) time: month or day first, as the table's upload says (dateOrder). */
const SLASHED = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** The order of N/N/YYYY dates: month first (the United States) or day first (most other places). */
export type DateOrder = "mdy" | "dmy";

/** True for a text shaped as N/N/YYYY: a date only once its order is known. */
export function looksSlashed(text: string): boolean {
  return SLASHED.test(text);
}

/** DD.MM.YYYY or D.M.YYYY, with an optional HH:MM(:SS) time. */
const DOTTED = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export interface ParsedDate {
  /** Milliseconds since 1970-01-01T00:00:00Z. */
  epochMs: number;
  /** The text had a time of day (then the column is a datetime). */
  hasTime: boolean;
}

/** Parses `text` (trimmed) as a strict date; undefined when it is not one. N/N/YYYY is a date only with an `order`. */
export function parseDate(text: string, order?: DateOrder): ParsedDate | undefined {
  // Cheap rejection first: most strings are not dates.
  if (text.length >= 8 && (text.charCodeAt(1) === 46 /* . */ || text.charCodeAt(2) === 46)) return parseDayMonthYear(DOTTED.exec(text), "dmy");
  if (order && text.length >= 8 && (text.charCodeAt(1) === 47 /* / */ || text.charCodeAt(2) === 47)) return parseDayMonthYear(SLASHED.exec(text), order);
  if (text.length < 10 || (text.charCodeAt(4) !== 45 /* - */ && text.charCodeAt(4) !== 47) /* / */) return undefined;
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [, y, , mo, d, h, mi, s, fraction, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (h === undefined) return { epochMs: utc(year, month, day, 0, 0, 0, 0), hasTime: false };
  const hour = Number(h);
  const minute = Number(mi);
  const second = s === undefined ? 0 : Number(s);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  let epochMs = utc(year, month, day, hour, minute, second, ms);
  if (zone !== undefined && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMinutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMinutes > 59) return undefined;
    epochMs -= sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  }
  return { epochMs, hasTime: true };
}

/** A DOTTED or SLASHED match: two numbers in `order`, the year, maybe a time. */
function parseDayMonthYear(match: RegExpExecArray | null, order: DateOrder): ParsedDate | undefined {
  if (!match) return undefined;
  const [first, second_, year, hour, minute, second] = match.slice(1).map((part) => (part === undefined ? undefined : Number(part)));
  const [day, month] = order === "dmy" ? [first, second_] : [second_, first];
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth(year!, month!)) return undefined;
  if (hour === undefined) return { epochMs: utc(year!, month!, day!, 0, 0, 0, 0), hasTime: false };
  if (hour > 23 || minute! > 59 || (second ?? 0) > 59) return undefined;
  return { epochMs: utc(year!, month!, day!, hour, minute!, second ?? 0, 0), hasTime: true };
}

/** The canonical text of a date: `YYYY-MM-DD` without a time, full ISO 8601 (UTC) with one. */
export function formatDate(epochMs: number, hasTime: boolean): string {
  const iso = new Date(epochMs).toISOString();
  return hasTime ? iso : iso.slice(0, 10);
}

export function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year);
  return date.getTime();
}
