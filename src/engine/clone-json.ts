/** A deep copy of plain JSON data (specs), with no platform API (the engine runs without Node's or the DOM's types). */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
