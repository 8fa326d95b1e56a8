/** JSON as a collapsible block: a summary line, the pretty-printed value inside. */
export function JsonView(props: { label: string; value: unknown; open?: boolean }) {
  const text = JSON.stringify(props.value, null, 2) ?? 'undefined';
  const keys =
    typeof props.value === 'object' && props.value !== null
      ? Object.keys(props.value).length
      : undefined;
  return (
    <details class="json" open={props.open}>
      <summary>
        {props.label}
        {keys === undefined ? '' : ` (${keys} ${Array.isArray(props.value) ? 'items' : 'keys'})`}
      </summary>
      <pre>{text}</pre>
    </details>
  );
}
