// Calendar fields of a UTC instant by arithmetic (no Date object per row):
// Howard Hinnant's days-to-civil algorithm.

import { isLeapYear } from "./dates.js";

const MS_PER_DAY = 86_400_000;

export interface CalendarFields {
  year: number;
  /** 1..12 */
  month: number;
  /** 0 (Sunday) .. 6 */
  weekday: number;
  /** 1..365 or 366 */
  dayOfYear: number;
  daysInYear: number;
  /** 0 <= hour < 24, minutes and seconds as its fraction. */
  hour: number;
}

export function calendarFields(epochMs: number, into: CalendarFields): CalendarFields {
  const days = Math.floor(epochMs / MS_PER_DAY);
  into.hour = (epochMs - days * MS_PER_DAY) / 3_600_000;
  into.weekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const leap = isLeapYear(year);
  const beforeMonth = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334][month - 1] + (leap && month > 2 ? 1 : 0);
  into.year = year;
  into.month = month;
  into.dayOfYear = beforeMonth + day;
  into.daysInYear = leap ? 366 : 365;
  return into;
}

export function newCalendarFields(): CalendarFields {
  return { year: 0, month: 0, weekday: 0, dayOfYear: 0, daysInYear: 0, hour: 0 };
}

/** The year with the elapsed part of it: 2020-07-02 is about 2020.5. */
export function decimalYear(fields: CalendarFields): number {
  return fields.year + (fields.dayOfYear - 1 + fields.hour / 24) / fields.daysInYear;
}
