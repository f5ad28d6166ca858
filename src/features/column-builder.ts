import { parseDate, type DateOrder } from "./dates.js";
import { GrowableArray, bytes, float64s, int32s } from "./growable-array.js";
import { BOOLEAN_MISSING, STRING_MISSING, type Column } from "./table.js";
import { VocabularyBuilder } from "./vocabulary.js";

/** Distinct strings a column dictionary-encodes; past it, values are appended as they come (see StringColumn). */
export const DICTIONARY_CAP = 65_536;

/**
 * One column of a table being built, cell by cell. Its store follows the
 * values: it starts empty, becomes numbers or booleans at the first value, and
 * turns into strings (once, for good) at the first value of another kind; a
 * string column whose every value is a strict date becomes a date column when
 * the table is finished.
 */
export class ColumnBuilder {
  length = 0;
  missing = 0;
  private numbers: GrowableArray<Float64Array> | null = null;
  private booleans: GrowableArray<Uint8Array> | null = null;
  private strings: StringStore | null = null;
  /** Missing markers met, by text: a handful of entries at most (the markers are few; spellings vary by case). */
  private markers: Map<string, number> | null = null;

  /** `dateOrder`: how N/N/YYYY dates read (without one, they stay strings). */
  constructor(
    readonly name: string,
    private readonly dateOrder?: DateOrder,
  ) {}

  /** Pads with missing cells up to `rows` cells (records may leave out keys). */
  padTo(rows: number): void {
    const count = rows - this.length;
    if (count <= 0) return;
    this.missing += count;
    this.length = rows;
    this.numbers?.pushRepeated(Number.NaN, count);
    this.booleans?.pushRepeated(BOOLEAN_MISSING, count);
    this.strings?.codes.pushRepeated(STRING_MISSING, count);
  }

  /** A missing cell; `marker` is the text that said so, if any ("NA", "None"), counted for the column's report. */
  pushMissing(marker?: string): void {
    this.padTo(this.length + 1);
    if (marker) {
      this.markers ??= new Map();
      this.markers.set(marker, (this.markers.get(marker) ?? 0) + 1);
    }
  }

  pushNumber(value: number): void {
    if (this.numbers) this.numbers.push(value);
    else if (this.strings) this.strings.push(String(value));
    else if (this.booleans) this.toStrings().push(String(value));
    else this.start("number").push(value);
    this.length++;
  }

  pushBoolean(value: boolean): void {
    if (this.booleans) this.booleans.push(value ? 1 : 0);
    else if (this.strings) this.strings.push(String(value));
    else if (this.numbers) this.toStrings().push(String(value));
    else this.start("boolean").push(value ? 1 : 0);
    this.length++;
  }

  /** `text` is trimmed, not a missing marker, not a number. */
  pushString(text: string): void {
    (this.strings ?? this.toStrings()).push(text);
    this.length++;
  }

  /** The finished column. The builder lets go of its growing store, so that finishing a table column by column never holds two copies of it. */
  finish(): Column {
    const column = this.finishStore();
    if (this.markers) column.missingAs = Object.fromEntries(this.markers);
    return column;
  }

  private finishStore(): Column {
    const { name, missing, booleans, strings, numbers } = this;
    this.numbers = this.booleans = this.strings = null;
    if (booleans) return { kind: "boolean", name, missing, values: booleans.trimmed() };
    if (strings) return strings.finish(name, missing);
    const values = numbers?.trimmed() ?? new Float64Array(this.length).fill(Number.NaN);
    return { kind: "number", name, missing, values };
  }

  private start(kind: "number" | "boolean"): GrowableArray<Float64Array> | GrowableArray<Uint8Array> {
    if (kind === "number") {
      this.numbers = new GrowableArray(float64s);
      this.numbers.pushRepeated(Number.NaN, this.length);
      return this.numbers;
    }
    this.booleans = new GrowableArray(bytes);
    this.booleans.pushRepeated(BOOLEAN_MISSING, this.length);
    return this.booleans;
  }

  /** Turns the column into strings: numbers as String(n) ("3.50" was read as 3.5 and becomes "3.5"), booleans as "true"/"false". */
  private toStrings(): StringStore {
    const strings = new StringStore(this.dateOrder);
    if (this.numbers) {
      const values = this.numbers.data;
      for (let i = 0; i < this.numbers.length; i++) {
        if (Number.isNaN(values[i])) strings.codes.push(STRING_MISSING);
        else strings.push(String(values[i]));
      }
    } else if (this.booleans) {
      const values = this.booleans.data;
      for (let i = 0; i < this.booleans.length; i++) {
        if (values[i] === BOOLEAN_MISSING) strings.codes.push(STRING_MISSING);
        else strings.push(values[i] === 1 ? "true" : "false");
      }
    } else {
      strings.codes.pushRepeated(STRING_MISSING, this.length);
    }
    this.numbers = null;
    this.booleans = null;
    this.strings = strings;
    return strings;
  }
}

/** Dictionary-encoded strings, watching whether they are all dates. */
class StringStore {
  readonly codes = new GrowableArray(int32s);
  private readonly vocabulary = new VocabularyBuilder();
  private dictionary: Map<string, number> | null = new Map();
  /** The instant of each vocabulary entry, while every entry so far is a date. */
  private dates: GrowableArray<Float64Array> | null = new GrowableArray(float64s);
  private anyTime = false;

  constructor(private readonly dateOrder?: DateOrder) {}

  push(text: string): void {
    let code = this.dictionary?.get(text);
    if (code === undefined) {
      code = this.vocabulary.add(text);
      if (this.dictionary) {
        if (this.dictionary.size < DICTIONARY_CAP) this.dictionary.set(text, code);
        else this.dictionary = null;
      }
      if (this.dates) {
        const date = parseDate(text, this.dateOrder);
        if (date) {
          this.dates.push(date.epochMs);
          this.anyTime ||= date.hasTime;
        } else this.dates = null;
      }
    }
    this.codes.push(code);
  }

  finish(name: string, missing: number): Column {
    const codes = this.codes.trimmed();
    if (this.dates && this.dates.length > 0) {
      const epochs = this.dates.data;
      const values = new Float64Array(codes.length);
      for (let i = 0; i < codes.length; i++) values[i] = codes[i] === STRING_MISSING ? Number.NaN : epochs[codes[i]];
      return { kind: "date", name, missing, values, hasTime: this.anyTime };
    }
    return { kind: "string", name, missing, codes, vocabulary: this.vocabulary.finish(), deduplicated: this.dictionary !== null };
  }
}
