import { createWriteStream, existsSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CITIES = Array.from({ length: 50 }, (_, i) => `city_${String.fromCharCode(97 + (i % 26))}${i}`);
const SEGMENTS = ["consumer", "corporate", "home office", "small business", "government"];
const WORDS = Array.from({ length: 500 }, (_, i) => `w${(i * 7919).toString(36)}`);

/**
 * A mixed-type CSV of `count` rows and 11 columns (an id, integers, decimals
 * with 5% missing, two categories, booleans, dates, datetimes, free text with
 * 10% missing, a unique code per row), ~117 bytes a row.
 * Writes it once per size to the temp directory (deterministic: a fixed-seed LCG), reusing it afterwards. */
export async function mixedCsvFile(count: number): Promise<string> {
  const file = join(tmpdir(), `descent-features-bench-${count}.csv`);
  if (existsSync(file)) return file;
  let state = 42;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
  const pick = <T>(values: readonly T[]) => values[Math.floor(uniform() * values.length)];
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve())));
  await write("id,age,income,city,segment,active,signup,last_login,score,comment,ref\n");
  const day = 86_400_000;
  for (let i = 0; i < count; i += 1000) {
    let batch = "";
    for (let r = i; r < Math.min(count, i + 1000); r++) {
      const signup = new Date(Date.UTC(2015, 0, 1) + Math.floor(uniform() * 3000) * day).toISOString().slice(0, 10);
      const login = new Date(Date.UTC(2023, 0, 1) + Math.floor(uniform() * 365 * day)).toISOString().slice(0, 19) + "Z";
      const comment = uniform() < 0.1 ? "" : `"${Array.from({ length: 3 + Math.floor(uniform() * 6) }, () => pick(WORDS)).join(" ")}"`;
      const income = uniform() < 0.05 ? "" : (20_000 + uniform() * 130_000).toFixed(2);
      batch += `${r + 1},${18 + Math.floor(uniform() * 72)},${income},${pick(CITIES)},${pick(SEGMENTS)},${uniform() < 0.5},${signup},${login},${(uniform() * 10 - 5).toFixed(4)},${comment},R${(r * 2654435761 >>> 0).toString(16)}\n`;
    }
    await write(batch);
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  renameSync(partial, file);
  return file;
}
