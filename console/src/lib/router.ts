import { useEffect, useState } from 'preact/hooks';

/** The console's own path below its base (`events/abc`), and its query string. */
export interface Location {
  readonly path: string;
  readonly query: string;
}

const CHANGE = 'flowflex:navigate';

function basePath(): string {
  return new URL(document.baseURI).pathname;
}

function current(): Location {
  const base = basePath();
  const pathname =
    location.pathname.startsWith(base) || `${location.pathname}/` === base
      ? location.pathname.slice(base.length)
      : location.pathname.replace(/^\//, '');
  return { path: pathname.replace(/\/+$/, ''), query: location.search.replace(/^\?/, '') };
}

/** A console path as an href, under the base the page is served at. */
export function href(path: string, query = ''): string {
  const url = new URL(path, document.baseURI);
  url.search = query;
  return `${url.pathname}${url.search}`;
}

export function navigate(path: string, query = '', { replace = false } = {}): void {
  const target = href(path, query);
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current location, re-rendered on every navigation (links, back and forward). */
export function useLocation(): Location {
  const [here, setHere] = useState(current);
  useEffect(() => {
    const update = () => setHere(current());
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return here;
}
