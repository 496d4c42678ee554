/**
 * Text that came from an event (a case title, an enum value a hostile answer may have filled),
 * made safe to show: one line without control or bidi-override characters, cut at a length without
 * breaking a character (a grapheme: an emoji with its modifiers, a letter with its accents), and the
 * one spelling of durations and times every destination uses. Pure functions, no I/O.
 */

/** C0 and C1 controls, DEL, line and paragraph separators, and the bidi embedding/override/isolate controls. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/g;
const ELLIPSIS = '\u2026';
const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Half of a surrogate pair without its other half (a sender that cut a string in the middle of an emoji). */
const LONE_SURROGATE = /\p{Cs}/gu;

/**
 * One line: every control character (newline, tab, bidi override...) a space, runs of white space
 * one space, trimmed; a lone surrogate becomes U+FFFD, as a UTF-8 encoder would make it.
 */
export function oneLine(value: string): string {
  return value.replace(LONE_SURROGATE, '\ufffd').replace(UNSAFE, ' ').replace(/\s+/gu, ' ').trim();
}

/** The graphemes of `value`. */
function graphemes(value: string): string[] {
  return Array.from(segmenter.segment(value), (s) => s.segment);
}

/**
 * `value` cut to at most `max` UTF-16 code units, ending in an ellipsis when cut; never inside a
 * grapheme, so no lone surrogate and no orphaned accent. A limit in characters (code points) is met
 * too: a code point is one or two code units.
 */
export function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  let out = '';
  for (const grapheme of graphemes(value)) {
    if (out.length + grapheme.length + ELLIPSIS.length > max) break;
    out += grapheme;
  }
  return `${out.trimEnd()}${ELLIPSIS}`;
}

/**
 * Printable ASCII only (for an SNS subject): letters with accents lose them (é -> e), every other
 * character outside ASCII is dropped, white space collapsed.
 */
export function asciiOnly(value: string): string {
  return oneLine(value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '')).replace(/[^\x20-\x7e]/g, ' ').replace(/ +/g, ' ').trim();
}

/** A duration in words a person reads at a glance: `45 s`, `12 min`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return `${Math.floor(Math.max(0, ms) / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** An ISO time as `2026-11-23 09:13 UTC` (the input when it is not a date). */
export function formatTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Milliseconds from `since` to `until` (ISO strings), or undefined when either is unknown or they are out of order. */
export function elapsedMs(since: string | null, until: string): number | undefined {
  if (since === null) return undefined;
  const start = Date.parse(since);
  const end = Date.parse(until);
  return Number.isNaN(start) || Number.isNaN(end) || end < start ? undefined : end - start;
}
