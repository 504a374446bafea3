// Calendar days as integers (days since 1970-01-01, UTC): the unit every core window counts in.

const MS_PER_DAY = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Day number of a `YYYY-MM-DD` string; NaN when it is not a real calendar day. */
export function toDayNumber(day: string): number {
  return day.length === 10 ? dayNumberAt(day, 0) : Number.NaN;
}

/**
 * Day number of the `YYYY-MM-DD` at `at` in `s`; NaN when it is not a real calendar day. Every record
 * names a day or a time, millions of them in a large portfolio: read the digits in place rather than
 * cutting the date out, hashing it and looking it up.
 */
function dayNumberAt(s: string, at: number): number {
  if (s.charCodeAt(at + 4) !== 45 /* - */ || s.charCodeAt(at + 7) !== 45) return Number.NaN;
  const y = digits(s, at, 4);
  const m = digits(s, at + 5, 2);
  const d = digits(s, at + 8, 2);
  // NaN (a non-digit) fails every comparison below.
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m))) return Number.NaN;
  // Years 0–99 mean 1900–1999 to Date.UTC: keep its reading for them rather than guess.
  if (y < 100) return parseDay(s.slice(at, at + 10));
  return daysFromCivil(y, m, d);
}

/** The number written by `n` decimal digits at `at`; NaN if any is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(at + k) - 48;
    if (!(c >= 0 && c <= 9)) return Number.NaN;
    v = v * 10 + c;
  }
  return v;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (the calendar Date uses). */
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
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
    const d = dayNumberAt(time, 0);
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
