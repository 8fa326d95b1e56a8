/**
 * Whether an error means the database could not be reached or dropped the connection, as
 * opposed to refusing this statement: a batch that failed for such a reason would fail again row
 * by row, so it is not split up to find a culprit.
 */
export function isConnectionError(error: unknown): boolean {
  // Not `instanceof Error`: errors from node:net may come from another realm (jest's VM modules).
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // SQLSTATE class 08: connection exception; 57P01-57P03: shutdown, crash, cannot connect now.
    if (code.startsWith('08') || /^57P0[123]$/.test(code)) return true;
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(
        code,
      )
    ) {
      return true;
    }
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout|the database system is (starting up|shutting down)/i.test(
      message,
    )
  );
}

/**
 * An error that means the service cannot take the request for now (the database is unreachable
 * and the outage spool cannot hold more): the client should retry later.
 */
export interface UnavailableError extends Error {
  readonly unavailable: true;
}

export function isUnavailable(error: unknown): error is UnavailableError {
  return (
    isConnectionError(error) ||
    (typeof error === 'object' &&
      error !== null &&
      (error as { unavailable?: unknown }).unavailable === true)
  );
}

/** Deadlock or serialization failure: the same statement may well succeed when run again. */
export function isTransientError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return code === '40P01' || code === '40001';
}
