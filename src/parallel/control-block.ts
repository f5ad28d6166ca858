/**
 * The words an executor and its kernel threads share (an Int32Array over a
 * SharedArrayBuffer). A run writes the calls' arguments and the export's
 * name, sets `end` to (its generation, its number of calls) and `ticket` to
 * (its generation, call 0), then bumps `generation`. Every thread, the caller
 * included, claims calls by advancing the ticket (compare-and-exchange) while
 * it is below the end of the same generation, and decrements `pending` after
 * each call; the one that brings it to 0 wakes the caller. A thread that wakes
 * late finds the ticket of a later run, or none left, and claims nothing of a
 * run it did not see begin. The end carries its generation because a late
 * thread may read the ticket of a run that has ended and the end of the next
 * one, whose arguments are being written: with a bare count there, it once
 * claimed a call past the old run's last (the bench hung, pending at -1).
 *
 * A thread that has spun for a while with no run counts itself in `sleepers`
 * before it waits (Atomics.wait), and the caller notifies only when someone
 * sleeps: Atomics.notify of a sleeping thread holds the caller for 25-350 µs
 * on this machine, longer than a whole 16 MFLOP product takes on one thread.
 * Counting before waiting (and waiting only while the generation is the one
 * it saw) means a run is never missed: the caller either sees the sleeper or
 * the sleeper sees the new generation.
 */
export const Word = {
  generation: 0,
  pending: 1,
  end: 2,
  argsPerCall: 3,
  stop: 4,
  failed: 5,
  ready: 6,
  nameLength: 7,
  ticket: 8,
  sleepers: 9,
} as const;

const CALL_BITS = 7;
export const MAX_CALLS = 1 << CALL_BITS; // calls of one run

export function firstTicket(generation: number): number {
  return (generation << CALL_BITS) | 0;
}

/** What a run stores in `end`: its generation and its number of calls, the ticket past its last call. */
export function endTicket(generation: number, count: number): number {
  return firstTicket(generation) + count;
}

/** Claims the next call of the run of `generation`: its index, or -1 when there is none left (or another run has begun). */
export function claimCall(words: Int32Array, generation: number): number {
  const run = (generation << CALL_BITS) >>> CALL_BITS;
  for (;;) {
    const ticket = Atomics.load(words, Word.ticket);
    const end = Atomics.load(words, Word.end);
    // The ticket and the end must both be this run's: a later run's end says nothing of this run's calls.
    if (ticket >>> CALL_BITS !== run || end >>> CALL_BITS !== run || (ticket & (MAX_CALLS - 1)) >= (end & (MAX_CALLS - 1))) return -1;
    if (Atomics.compareExchange(words, Word.ticket, ticket, ticket + 1) === ticket) return ticket & (MAX_CALLS - 1);
  }
}

export const NAME_AT = 16; // the export's name, one character per word
export const MAX_NAME = 48;
export const ERROR_AT = NAME_AT + MAX_NAME; // the first failure's message
export const MAX_ERROR = 448;
export const ARGS_AT = ERROR_AT + MAX_ERROR; // call i's arguments at ARGS_AT + i * MAX_ARGS
export const MAX_ARGS = 32;

export const CONTROL_WORDS = ARGS_AT + MAX_CALLS * MAX_ARGS;

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
