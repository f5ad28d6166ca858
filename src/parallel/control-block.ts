/**
 * The words an executor and its kernel threads share (an Int32Array over a
 * SharedArrayBuffer). A run writes the calls' arguments, the export's name
 * and the number of calls, then bumps `generation`; each thread runs its call
 * and decrements `pending`; the last one wakes the caller.
 */
export const Word = {
  generation: 0,
  pending: 1,
  count: 2,
  argsPerCall: 3,
  stop: 4,
  failed: 5,
  ready: 6,
  nameLength: 7,
} as const;

export const NAME_AT = 16; // the export's name, one character per word
export const MAX_NAME = 48;
export const ERROR_AT = NAME_AT + MAX_NAME; // the first failure's message
export const MAX_ERROR = 448;
export const ARGS_AT = ERROR_AT + MAX_ERROR; // call i's arguments at ARGS_AT + i * MAX_ARGS
export const MAX_ARGS = 32;

export function controlWords(threads: number): number {
  return ARGS_AT + threads * MAX_ARGS;
}

/** Writes `text` (cut to max - 1 characters) as one character per word, then a 0; returns its length. */
export function writeText(words: Int32Array, at: number, max: number, text: string): number {
  const length = Math.min(text.length, max - 1);
  for (let i = 0; i < length; i++) words[at + i] = text.charCodeAt(i);
  words[at + length] = 0;
  return length;
}

/** Reads `length` characters, or up to the first 0 when length is omitted. */
export function readText(words: Int32Array, at: number, length = Infinity): string {
  let text = "";
  for (let i = 0; i < length && words[at + i] !== 0; i++) text += String.fromCharCode(words[at + i]);
  return text;
}
