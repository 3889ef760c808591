const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` is an IANA time zone id (or an alias such as `UTC`) this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The zone's offset from UTC at the instant `utcMs`, in ms (e.g. +3 600 000 for Europe/Oslo in
 * winter), daylight saving included. Throws RangeError for an unknown zone.
 */
export function zoneOffsetMs(zone: string, utcMs: number): number {
  if (zone === 'UTC' || zone === 'Etc/UTC') return 0;
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(new Date(utcMs))) parts[p.type] = p.value;
  let year = Number(parts['year']);
  if (parts['era'] === 'BC' || parts['era'] === 'B') year = 1 - year;
  const local = Date.UTC(
    year,
    Number(parts['month']) - 1,
    Number(parts['day']),
    Number(parts['hour']),
    Number(parts['minute']),
    Number(parts['second']),
  );
  const wholeSecond = Math.floor(utcMs / 1000) * 1000;
  return local - wholeSecond;
}

/** Local wall-clock time in `zone` expressed as ms since the epoch of a UTC clock showing the same time. */
export function toLocalMs(zone: string, utcMs: number): number {
  return utcMs + zoneOffsetMs(zone, utcMs);
}

/**
 * The instant at which the wall clock in `zone` shows `localMs` (inverse of `toLocalMs`). In a
 * daylight-saving gap the earlier offset is used; in an overlap the earlier instant wins.
 */
export function fromLocalMs(zone: string, localMs: number): number {
  const first = localMs - zoneOffsetMs(zone, localMs);
  const second = localMs - zoneOffsetMs(zone, first);
  return Math.min(first, second);
}
