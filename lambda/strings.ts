/**
 * The handler's text helpers: trimming what the environment and responses give, and the one way
 * an error or an echoed input becomes text in a log line (bounded, so no input floods the log).
 */

/** The most characters of any one input a log line echoes. */
export const MAX_ECHOED_CHARACTERS = 300;

/** The value without surrounding white space, or undefined when nothing is left (or it was absent). */
export function trimmedOrUndefined(value: string | null | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/**
 * `text` cut to at most `max` characters (code points, so no character is broken in two), with
 * `…` in place of what was cut when `marked`.
 */
export function truncated(text: string, max: number, marked = false): string {
  if (text.length <= max) {
    return text;
  }
  let end = 0;
  let count = 0;
  const limit = marked ? max - 1 : max;
  while (end < text.length && count < limit) {
    const code = text.charCodeAt(end);
    end += code >= 0xd800 && code <= 0xdbff && end + 1 < text.length ? 2 : 1;
    count++;
  }
  if (end >= text.length) {
    return text; // fewer code points than `max`, though more UTF-16 units
  }
  return marked ? `${text.slice(0, end)}…` : text.slice(0, end);
}

/** Any value an input carried, as bounded text for a log line. */
export function echoed(value: unknown): string {
  return truncated(typeof value === 'string' ? value : safeString(value), MAX_ECHOED_CHARACTERS, true);
}

/**
 * An error as text, `Name: message: cause: its cause`, bounded: the one way errors reach a log
 * line or a summary.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) {
    return echoed(error);
  }
  let text = `${error.name}: ${error.message}`;
  for (let cause = error.cause, depth = 0; cause instanceof Error && depth < 3; cause = cause.cause, depth++) {
    text += `: ${cause.message}`;
  }
  return echoed(text);
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' && value !== null ? JSON.stringify(value) ?? String(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
