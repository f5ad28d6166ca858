import { describe, expect, it } from "vitest";
import { formatDate, parseDate } from "../../../src/features/dates.js";

describe("strict dates", () => {
  it("reads ISO 8601 dates and date-times, and YYYY/MM/DD, as UTC instants", () => {
    expect(parseDate("2012-01-01")).toEqual({ epochMs: Date.UTC(2012, 0, 1), hasTime: false });
    expect(parseDate("2012/02/29")).toEqual({ epochMs: Date.UTC(2012, 1, 29), hasTime: false });
    expect(parseDate("2012-01-01T10:30")).toEqual({ epochMs: Date.UTC(2012, 0, 1, 10, 30), hasTime: true });
    expect(parseDate("2012-01-01 10:30:15.250")).toEqual({ epochMs: Date.UTC(2012, 0, 1, 10, 30, 15, 250), hasTime: true });
    expect(parseDate("2012-01-01T00:00:00Z")).toEqual({ epochMs: Date.UTC(2012, 0, 1), hasTime: true });
  });

  it("applies a time zone offset", () => {
    expect(parseDate("2012-01-01T10:00:00+02:00")?.epochMs).toBe(Date.UTC(2012, 0, 1, 8));
    expect(parseDate("2012-01-01T10:00:00-0530")?.epochMs).toBe(Date.UTC(2012, 0, 1, 15, 30));
  });

  it("keeps years below 100 as they are written", () => {
    expect(new Date(parseDate("0099-12-31")!.epochMs).getUTCFullYear()).toBe(99);
  });

  it("reads DD.MM.YYYY day first, with or without a time", () => {
    expect(parseDate("19.03.2019")).toEqual({ epochMs: Date.UTC(2019, 2, 19), hasTime: false });
    expect(parseDate("1.2.2020")).toEqual({ epochMs: Date.UTC(2020, 1, 1), hasTime: false });
    expect(parseDate("29.02.2020 14:05")).toEqual({ epochMs: Date.UTC(2020, 1, 29, 14, 5), hasTime: true });
    expect(parseDate("31.12.1999 23:59:58")?.epochMs).toBe(Date.UTC(1999, 11, 31, 23, 59, 58));
  });

  it("reads N/N/YYYY only in the order it is told", () => {
    expect(parseDate("3/19/2019", "mdy")).toEqual({ epochMs: Date.UTC(2019, 2, 19), hasTime: false });
    expect(parseDate("19/3/2019", "dmy")).toEqual({ epochMs: Date.UTC(2019, 2, 19), hasTime: false });
    expect(parseDate("3/4/2019 10:30", "dmy")).toEqual({ epochMs: Date.UTC(2019, 3, 3, 10, 30), hasTime: true });
    expect(parseDate("19/3/2019", "mdy")).toBeUndefined();
    expect(parseDate("3/19/2019")).toBeUndefined();
  });

  it("never reads free text, other orders or impossible dates as dates", () => {
    for (const text of ["03.19.2019", "29.02.2019", "1.2.20", "1.2.2020.5", "19.03.2019 25:00", "1.234", "May 5 2020", "5/6/2020", "2020", "20200101", "2020-13-01", "2019-02-29", "2020-04-31", "2020-01-01T24:00", "2020-01-01 noon", "2020-01-01T10:00:00+25:00", "2020-01/01", "x2020-01-01"]) {
      expect(parseDate(text), text).toBeUndefined();
    }
  });

  it("formats a date back to its canonical text", () => {
    expect(formatDate(Date.UTC(2012, 0, 5), false)).toBe("2012-01-05");
    expect(formatDate(Date.UTC(2012, 0, 5, 7, 8, 9), true)).toBe("2012-01-05T07:08:09.000Z");
  });
});
