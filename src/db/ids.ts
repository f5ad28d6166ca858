import { randomBytes } from "node:crypto";

// Ids sort by creation time (a 48-bit millisecond timestamp first), so cursor
// pagination can order by id alone. Crockford base32, lower case.
const alphabet = "0123456789abcdefghjkmnpqrstvwxyz";

export type IdPrefix = "ds" | "job" | "mdl" | "prj" | "key" | "rgm" | "mv" | "whk" | "msg" | "swp" | "trl";

export function newId(prefix: IdPrefix, now = Date.now()): string {
  let time = "";
  for (let t = now, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = alphabet[t % 32] + time;
  const random = randomBytes(10);
  let tail = "";
  for (const byte of random) tail += alphabet[byte % 32];
  return `${prefix}_${time}${tail}`;
}

