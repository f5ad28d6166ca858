import { describe, expect, it } from "vitest";
import { guessDelimiter } from "../../src/services/csv-delimiter.js";

// The delimiter of an uploaded CSV is guessed from its header row.

describe("guessDelimiter", () => {
  it("takes the commonest of , ; tab | in the header, outside quotes", () => {
    expect(guessDelimiter("a,b,c\n1;2;3;4;5")).toBe(",");
    expect(guessDelimiter("ville;température;pluie\r\nParis;12,5;0,3")).toBe(";");
    expect(guessDelimiter("a\tb\tc\n")).toBe("\t");
    expect(guessDelimiter("a|b|c")).toBe("|");
    expect(guessDelimiter('"a;b;c",d,e\n')).toBe(","); // the semicolons are inside a quoted name
  });

  it("falls back on a comma for a one-column header, or a tie", () => {
    expect(guessDelimiter("label\n1\n2")).toBe(",");
    expect(guessDelimiter("a,b;c\n")).toBe(",");
    expect(guessDelimiter("")).toBe(",");
  });
});
