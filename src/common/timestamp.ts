import { registerDecorator, type ValidationOptions } from 'class-validator';

/**
 * `2024-05-01`, `2024-05-01T10:00`, `2024-05-01T10:00:00.123456Z`, `…+02:00`: the RFC 3339
 * profile of ISO 8601 (a space may stand for the T; seconds and fraction optional), years 0001 to
 * 9999. Week dates (2024-W05-3) and ordinal dates (2024-366), which ISO 8601 also allows, are
 * refused by name: JavaScript cannot read them and they would turn into a 500 downstream.
 */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The instant a timestamp names, or undefined when it is not one (a 30th of February, hour 24).
 * Without a zone it is UTC, so that the same text means the same instant whatever the server's
 * time zone.
 */
export function parseTimestamp(text: string): Date | undefined {
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  if (utc.getUTCDate() !== day) return undefined;
  const offset = /^[Zz]$/.test(zone) ? 0 : zoneMinutes(zone);
  if (offset === undefined) return undefined;
  const instant = new Date(utc.getTime() - offset * 60_000);
  // The zone can push 0001-01-01 into year 0, or 9999-12-31 into 10000: outside what is stored.
  const stored = instant.getUTCFullYear();
  return stored >= 1 && stored <= 9999 ? instant : undefined;
}

/**
 * A timestamptz as PostgreSQL prints it to the driver (`0050-06-01 00:00:00+00`,
 * `2024-05-01 10:00:00.123456+02:30`), read without Date's guesses: `new Date()` takes such
 * text for a legacy format and reads years below 100 as 19xx.
 */
export function parsePostgresTimestamp(text: string): Date {
  const match =
    /^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([+-]\d{2})(?::?(\d{2}))?(?::(\d{2}))?$/.exec(
      text,
    );
  if (!match) return new Date(text);
  const [, y, mo, d, h, mi, s, fraction = '', zoneHours, zoneMinutes = '0', zoneSeconds = '0'] =
    match;
  const utc = new Date(0);
  utc.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  utc.setUTCHours(Number(h), Number(mi), Number(s), Number(fraction.padEnd(3, '0').slice(0, 3)));
  const sign = zoneHours.startsWith('-') ? -1 : 1;
  const offsetSeconds =
    sign * (Math.abs(Number(zoneHours)) * 3600 + Number(zoneMinutes) * 60 + Number(zoneSeconds));
  return new Date(utc.getTime() - offsetSeconds * 1000);
}

/** A column value as the driver returns it (a Date, or timestamptz text) as a Date. */
export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : parsePostgresTimestamp(value);
}

/** A column value as ISO 8601 text for an answer; null stays null. */
export function isoOrNull(value: Date | string | null): string | null {
  return value === null ? null : toDate(value).toISOString();
}

function zoneMinutes(zone: string): number | undefined {
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  if (hours > 23 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/** A timestamp parseTimestamp reads: what is stored is exactly what was validated. */
export function IsTimestamp(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'isTimestamp',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be a date or date-time such as 2024-05-01 or 2024-05-01T10:00:00Z`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && parseTimestamp(value) !== undefined,
      },
    });
  };
}
