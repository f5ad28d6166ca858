// UTF-8 through the TextEncoder and TextDecoder every JavaScript runtime has
// (Node.js, browsers, Deno). They are not in the ES library's types, and this
// module must compile without Node's or the DOM's, so they are typed here, locally.

interface Utf8Encoder {
  encode(text: string): Uint8Array;
  encodeInto(text: string, into: Uint8Array): { read: number; written: number };
}
interface Utf8Decoder {
  decode(bytes: Uint8Array): string;
}
const runtime = globalThis as unknown as {
  TextEncoder: new () => Utf8Encoder;
  TextDecoder: new (label: string, options: { fatal: boolean }) => Utf8Decoder;
};

const encoder = new runtime.TextEncoder();
const decoder = new runtime.TextDecoder("utf-8", { fatal: false });

export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Writes `text` at the start of `into`, which must hold 3 bytes per UTF-16 unit; returns the bytes written. */
export function encodeUtf8Into(text: string, into: Uint8Array): number {
  return encoder.encodeInto(text, into).written;
}

export function decodeUtf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
