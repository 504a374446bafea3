// Calendar days as integers (days since 1970-01-01, UTC): the unit every core window counts in.

const MS_PER_DAY = 86_400_000;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Day number of a `YYYY-MM-DD` string; NaN when it is not a real calendar day. */
export function toDayNumber(day: string): number {
  if (!DAY_RE.test(day)) return Number.NaN;
  return civilDay(Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10)));
}

/**
 * Days since 1970-01-01 of year-month-day in the proleptic Gregorian calendar (Date's), NaN when
 * there is no such day. Years 0–99 are read as 1900–1999, as Date.UTC reads them.
 */
function civilDay(year: number, month: number, day: number): number {
  const y0 = year < 100 ? year + 1900 : year;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(y0, month)) return Number.NaN;
  // Howard Hinnant's days_from_civil: eras of 400 years, March-based years.
  const y = month <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Day number of an ISO-8601 time (the UTC day it falls on); NaN when unparseable. */
export function timeToDayNumber(time: string): number {
  // A bare day is a valid time too: it means midnight UTC.
  if (time.length === 10) return toDayNumber(time);
  // A UTC time ("…Z") falls on the day its date part names.
  if (time.endsWith("Z") && time[10] === "T") {
    const d = toDayNumber(time.slice(0, 10));
    if (!Number.isNaN(d)) return d;
  }
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? Number.NaN : Math.floor(ms / MS_PER_DAY);
}

/** `YYYY-MM-DD` of a day number. */
export function toDayString(dayNumber: number): string {
  return new Date(dayNumber * MS_PER_DAY).toISOString().slice(0, 10);
}

/**
 * The names of days, made once each for one scoring run: every snapshot names its day, every account,
 * every day, and a run covers a few hundred days.
 */
export class DayNames {
  private readonly names = new Map<number, string>();

  of(dayNumber: number): string {
    let s = this.names.get(dayNumber);
    if (s === undefined) {
      s = toDayString(dayNumber);
      this.names.set(dayNumber, s);
    }
    return s;
  }
}

/** ISO time at midnight UTC of a day number plus `minutes`. */
export function toTimeString(dayNumber: number, minutes = 0): string {
  return new Date(dayNumber * MS_PER_DAY + minutes * 60_000).toISOString();
}

export function addDays(day: string, n: number): string {
  return toDayString(toDayNumber(day) + n);
}
