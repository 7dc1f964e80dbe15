// The checks every parser of webview messages shares (contracts/preview.ts, results.ts, training.ts):
// a webview's messages are untrusted, so each is taken only when it has exactly the expected shape.

export type Json = Record<string, unknown>;

/** Longest text a webview may send where no other limit is set: an id, a name, an error message. */
export const maxTextLength = 4096;

/** A plain object (not an array, Map, Date or typed array, and not one whose fields are inherited). */
export function isRecord(value: unknown): value is Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

export function hasOnlyKeys(value: object, keys: readonly string[]): boolean {
  return Object.keys(value).every((k) => keys.includes(k));
}

export function isText(value: unknown, max = maxTextLength): value is string {
  return typeof value === 'string' && value.length <= max;
}

/** The id of a run, as the panels make them. */
export function isRunId(value: unknown): value is string {
  return typeof value === 'string' && /^[a-z0-9-]{1,64}$/.test(value);
}

/** `{ type: 'error', message }`: an uncaught error in the webview, for the log. */
export function parseErrorReport(message: Json): { type: 'error'; message: string } | undefined {
  return hasOnlyKeys(message, ['type', 'message']) && isText(message.message) ? { type: 'error', message: message.message } : undefined;
}
