import type { ComponentChildren } from 'preact';
import { href, navigate } from '../lib/router.js';

/** A link inside the console: a real href (open in a new tab works), navigated without a reload. */
export function Link(props: {
  to: string;
  query?: string;
  children: ComponentChildren;
  class?: string;
}) {
  const target = href(props.to, props.query);
  return (
    <a
      href={target}
      class={props.class}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(props.to, props.query);
      }}
    >
      {props.children}
    </a>
  );
}
