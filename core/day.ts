// Calendar days as integers (days since 1970-01-01, UTC): the unit every core window counts in.

const MS_PER_DAY = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

const dayNumberCache = new Map<string, number>();

/** Day number of a `YYYY-MM-DD` string; NaN when it is not a real calendar day. */
export function toDayNumber(day: string): number {
  // Every record names a day, and a portfolio has only a few hundred distinct ones: parse each once.
  let n = dayNumberCache.get(day);
  if (n === undefined) {
    n = parseDay(day);
    if (dayNumberCache.size < 100_000) dayNumberCache.set(day, n);
  }
  return n;
}

function parseDay(day: string): number {
  const m = DAY_RE.exec(day);
  if (!m) return Number.NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return Number.NaN;
  return ms / MS_PER_DAY;
}

/** Day number of an ISO-8601 time (the UTC day it falls on); NaN when unparseable. */
export function timeToDayNumber(time: string): number {
  // A bare day is a valid time too: it means midnight UTC.
  if (time.length === 10) return toDayNumber(time);
  // A UTC time ("…Z") falls on the day its date part names.
  if (time.charCodeAt(time.length - 1) === 90 /* Z */ && time.charCodeAt(10) === 84 /* T */) {
    // Records reaching core were validated at the edge (zod), so the date part is trusted here.
    const d = toDayNumber(time.slice(0, 10));
    if (!Number.isNaN(d)) return d;
  }
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? Number.NaN : Math.floor(ms / MS_PER_DAY);
}

// Every snapshot names its day, so this runs for every account every day: days from 2000 to 2054 are
// kept in an array (an index, not a hash lookup), any other day in a map.
const DAY_STRINGS_FROM = 10_957; // 2000-01-01
const dayStrings: (string | undefined)[] = new Array(20_000).fill(undefined);
const dayStringCache = new Map<number, string>();

/** `YYYY-MM-DD` of a day number (cached: a backtest asks for the same few hundred days often). */
export function toDayString(dayNumber: number): string {
  const k = dayNumber - DAY_STRINGS_FROM;
  if (k >= 0 && k < dayStrings.length && Number.isInteger(k)) {
    let s = dayStrings[k];
    if (s === undefined) {
      s = formatDay(dayNumber);
      dayStrings[k] = s;
    }
    return s;
  }
  let s = dayStringCache.get(dayNumber);
  if (s === undefined) {
    s = formatDay(dayNumber);
    if (dayStringCache.size < 100_000) dayStringCache.set(dayNumber, s);
  }
  return s;
}

function formatDay(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/** ISO time at midnight UTC of a day number plus `minutes`. */
export function toTimeString(dayNumber: number, minutes = 0): string {
  return new Date(dayNumber * MS_PER_DAY + minutes * 60_000).toISOString();
}

export function addDays(day: string, n: number): string {
  return toDayString(toDayNumber(day) + n);
}
