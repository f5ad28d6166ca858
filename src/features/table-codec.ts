// The stored form of a Table (a Postgres `bytes` value): a small JSON header,
// then each column's typed arrays, little-endian, every section 8-byte aligned
// so that decoding can view the bytes in place instead of copying them.
//
//   "DTBL" | u32 version | u32 header length | header JSON (UTF-8) | padding | sections...
//   number, date: values f64 x numRows; boolean: values u8 x numRows;
//   string: codes i32 x numRows, vocabulary offsets u32 x (size + 1), vocabulary bytes u8

import { FeatureError } from "./errors.js";
import { BOOLEAN_MISSING, STRING_MISSING, type Column, type ColumnKind, type Table } from "./table.js";
import { decodeUtf8, encodeUtf8 } from "./utf8.js";
import { Vocabulary } from "./vocabulary.js";

export const TABLE_FORMAT_VERSION = 1;
const MAGIC = [0x44, 0x54, 0x42, 0x4c]; // "DTBL"
const PREAMBLE = 12;

interface ColumnHeader {
  name: string;
  kind: ColumnKind;
  missing: number;
  hasTime?: boolean;
  deduplicated?: boolean;
  vocabularySize?: number;
  vocabularyBytes?: number;
}

interface TableHeader {
  numRows: number;
  columns: ColumnHeader[];
}

export function encodeTable(table: Table): Uint8Array {
  assertLittleEndian();
  const header: TableHeader = { numRows: table.numRows, columns: table.columns.map(columnHeader) };
  const headerBytes = encodeUtf8(JSON.stringify(header));
  const sections = table.columns.flatMap(columnSections);
  let size = align(PREAMBLE + headerBytes.length);
  for (const section of sections) size = align(size + section.byteLength);

  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, TABLE_FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, PREAMBLE);
  let offset = align(PREAMBLE + headerBytes.length);
  for (const section of sections) {
    out.set(new Uint8Array(section.buffer, section.byteOffset, section.byteLength), offset);
    offset = align(offset + section.byteLength);
  }
  return out;
}

/** Decodes bytes written by encodeTable; throws CORRUPT_TABLE when they are not such bytes. The arrays view `bytes` when it is 8-byte aligned. */
export function decodeTable(bytes: Uint8Array): Table {
  assertLittleEndian();
  if (bytes.length < PREAMBLE || MAGIC.some((b, i) => bytes[i] !== b)) corrupt("it does not start with the table signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== TABLE_FORMAT_VERSION) corrupt(`format version ${version} is not ${TABLE_FORMAT_VERSION}`);
  const headerLength = view.getUint32(8, true);
  if (PREAMBLE + headerLength > bytes.length) corrupt("the header runs past the end");
  let header: TableHeader;
  try {
    header = JSON.parse(decodeUtf8(bytes.subarray(PREAMBLE, PREAMBLE + headerLength))) as TableHeader;
  } catch {
    return corrupt("the header is not JSON");
  }
  checkHeader(header);
  const source = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const reader = new SectionReader(source, align(PREAMBLE + headerLength));
  const columns = header.columns.map((column) => readColumn(column, header.numRows, reader));
  if (reader.offset !== bytes.length) corrupt(`${bytes.length - reader.offset} bytes follow the last column`);
  return { numRows: header.numRows, columns };
}

function columnHeader(column: Column): ColumnHeader {
  const base = { name: column.name, kind: column.kind, missing: column.missing };
  switch (column.kind) {
    case "date":
      return { ...base, hasTime: column.hasTime };
    case "string":
      return { ...base, deduplicated: column.deduplicated, vocabularySize: column.vocabulary.size, vocabularyBytes: column.vocabulary.bytes.length };
    default:
      return base;
  }
}

function columnSections(column: Column): ArrayBufferView[] {
  return column.kind === "string" ? [column.codes, column.vocabulary.offsets, column.vocabulary.bytes] : [column.values];
}

class SectionReader {
  constructor(
    private readonly bytes: Uint8Array,
    public offset: number,
  ) {}

  take<T>(count: number, bytesPerValue: number, make: (buffer: ArrayBufferLike, offset: number, length: number) => T): T {
    const end = this.offset + count * bytesPerValue;
    if (end > this.bytes.length) corrupt("a column runs past the end");
    const array = make(this.bytes.buffer, this.bytes.byteOffset + this.offset, count);
    this.offset = align(end);
    return array;
  }
}

function readColumn(header: ColumnHeader, numRows: number, reader: SectionReader): Column {
  const { name, missing } = header;
  const where = `column ${JSON.stringify(name)}`;
  const float64 = () => reader.take(numRows, 8, (b, o, n) => new Float64Array(b, o, n));
  switch (header.kind) {
    case "number":
    case "date": {
      const values = float64();
      if (countNaN(values) !== missing) corrupt(`${where} has another count of missing values than its header says`);
      return header.kind === "number" ? { kind: "number", name, missing, values } : { kind: "date", name, missing, values, hasTime: header.hasTime === true };
    }
    case "boolean": {
      const values = reader.take(numRows, 1, (b, o, n) => new Uint8Array(b, o, n));
      let count = 0;
      for (const value of values) {
        if (value > BOOLEAN_MISSING) corrupt(`${where} holds a boolean code ${value}`);
        if (value === BOOLEAN_MISSING) count++;
      }
      if (count !== missing) corrupt(`${where} has another count of missing values than its header says`);
      return { kind: "boolean", name, missing, values };
    }
    case "string": {
      const size = header.vocabularySize ?? -1;
      const byteLength = header.vocabularyBytes ?? -1;
      if (!isCount(size) || !isCount(byteLength)) corrupt(`${where} has no vocabulary size`);
      const codes = reader.take(numRows, 4, (b, o, n) => new Int32Array(b, o, n));
      const offsets = reader.take(size + 1, 4, (b, o, n) => new Uint32Array(b, o, n));
      const vocabularyBytes = reader.take(byteLength, 1, (b, o, n) => new Uint8Array(b, o, n));
      for (let i = 0; i < size; i++) if (offsets[i] > offsets[i + 1]) corrupt(`${where} has vocabulary offsets out of order`);
      if (offsets[0] !== 0 || offsets[size] !== byteLength) corrupt(`${where} has vocabulary offsets that do not span its bytes`);
      let count = 0;
      for (const code of codes) {
        if (code < STRING_MISSING || code >= size) corrupt(`${where} holds a code ${code} outside its vocabulary of ${size}`);
        if (code === STRING_MISSING) count++;
      }
      if (count !== missing) corrupt(`${where} has another count of missing values than its header says`);
      return { kind: "string", name, missing, codes, vocabulary: new Vocabulary(vocabularyBytes, offsets), deduplicated: header.deduplicated === true };
    }
    default:
      return corrupt(`${where} has an unknown kind`);
  }
}

function checkHeader(header: TableHeader): void {
  if (typeof header !== "object" || header === null || !isCount(header.numRows) || !Array.isArray(header.columns)) corrupt("the header has no numRows or columns");
  const names = new Set<string>();
  for (const column of header.columns) {
    if (typeof column !== "object" || column === null || typeof column.name !== "string" || !isCount(column.missing) || column.missing > header.numRows) {
      corrupt("a column header has no name or missing count");
    }
    if (names.has(column.name)) corrupt(`two columns are named ${JSON.stringify(column.name)}`);
    names.add(column.name);
  }
}

function countNaN(values: Float64Array): number {
  let count = 0;
  for (const value of values) if (Number.isNaN(value)) count++;
  return count;
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function align(offset: number): number {
  return Math.ceil(offset / 8) * 8; // not a bit mask: tables may pass 2 GiB
}

function corrupt(problem: string): never {
  throw new FeatureError("CORRUPT_TABLE", `the stored table does not decode: ${problem}`);
}

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error("descent's stored tables are little-endian; this machine is not");
}
