/** A labelled checkbox that reports its new state. */
export function Toggle({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
}) {
  return (
    <label class="toggle">
      <input
        type="checkbox"
        aria-label={label}
        checked={checked}
        onChange={(e) => onChange((e.target as HTMLInputElement).checked)}
      />{' '}
      {label}
    </label>
  );
}
