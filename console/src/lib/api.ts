const KEY_ITEM = 'flowflex.apiKey';
const TENANT_ITEM = 'flowflex.tenant';

/** An answer other than 2xx, with the service's message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The API key lives in sessionStorage (gone when the tab closes, never in a URL or a cookie: no
 * cookie means no CSRF) and goes out as Authorization: Bearer. An operator's chosen tenant goes
 * out as X-Tenant-Id.
 */
export const credentials = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  tenant: (): string | null => sessionStorage.getItem(TENANT_ITEM),
  signIn(key: string): void {
    sessionStorage.setItem(KEY_ITEM, key);
  },
  chooseTenant(tenant: string | null): void {
    if (tenant) sessionStorage.setItem(TENANT_ITEM, tenant);
    else sessionStorage.removeItem(TENANT_ITEM);
  },
  signOut(): void {
    sessionStorage.removeItem(KEY_ITEM);
    sessionStorage.removeItem(TENANT_ITEM);
  },
};

/** An API path as a URL of this origin, under the prefix the console is served at. */
export function apiUrl(path: string): string {
  return new URL(`../api/${path}`, document.baseURI).toString();
}

export function apiHeaders(json = false): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const key = credentials.key();
  const tenant = credentials.tenant();
  if (key) headers.authorization = `Bearer ${key}`;
  if (tenant) headers['x-tenant-id'] = tenant;
  if (json) headers['content-type'] = 'application/json';
  return headers;
}

export async function api<T>(
  path: string,
  options: { method?: 'GET' | 'POST'; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const response = await fetch(apiUrl(path), {
    method: options.method ?? 'GET',
    headers: apiHeaders(options.body !== undefined),
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
    credentials: 'omit',
  });
  const text = await response.text();
  const body: unknown = text === '' ? undefined : JSON.parse(text);
  if (!response.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    throw new ApiError(
      response.status,
      typeof message === 'string' ? message : `${response.status} ${response.statusText}`,
    );
  }
  return body as T;
}
