import { describe, expect, it } from "vitest";
import { calendarFields, decimalYear, newCalendarFields } from "../../../src/features/calendar.js";
import { forEachWordHash } from "../../../src/features/text-tokens.js";
import { encodeUtf8 } from "../../../src/features/utf8.js";

describe("calendarFields", () => {
  it("agrees with Date's UTC fields on instants from 1601 to 2399", () => {
    const fields = newCalendarFields();
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      const epochMs = Date.UTC(1601, 0, 1) + Math.floor((seed / 4294967296) * (Date.UTC(2400, 0, 1) - Date.UTC(1601, 0, 1)));
      const date = new Date(epochMs);
      calendarFields(epochMs, fields);
      const startOfYear = Date.UTC(date.getUTCFullYear(), 0, 1);
      expect([fields.year, fields.month, fields.weekday, fields.dayOfYear]).toEqual([
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDay(),
        Math.floor((epochMs - startOfYear) / 86_400_000) + 1,
      ]);
      expect(fields.hour).toBeCloseTo(date.getUTCHours() + date.getUTCMinutes() / 60 + date.getUTCSeconds() / 3600 + date.getUTCMilliseconds() / 3_600_000, 9);
    }
  });

  it("gives the decimal year: the year and its elapsed part", () => {
    expect(decimalYear(calendarFields(Date.UTC(2021, 0, 1), newCalendarFields()))).toBe(2021);
    expect(decimalYear(calendarFields(Date.UTC(2020, 6, 2), newCalendarFields()))).toBeCloseTo(2020 + 183 / 366, 12);
  });
});

describe("forEachWordHash", () => {
  const hashes = (text: string) => {
    const out: string[] = [];
    const count = forEachWordHash(encodeUtf8(text), (hash) => out.push(hash.toString(16)));
    expect(count).toBe(out.length);
    return out;
  };

  it("hashes lower-cased words with 32-bit FNV-1a (values from an independent BigInt implementation)", () => {
    expect(hashes("a")).toEqual(["e40c292c"]);
    expect(hashes("Hello, WORLD!")).toEqual(["4f9f2cab", "37a3e893"]);
    expect(hashes("  Zürich--")).toEqual(["aeca5e40"]); // non-ASCII bytes are part of the word
  });

  it("finds no word in punctuation and spaces", () => {
    expect(hashes(" ,.;-- ")).toEqual([]);
    expect(hashes("")).toEqual([]);
  });
});
