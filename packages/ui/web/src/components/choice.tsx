/** A labelled drop-down whose options are shown as their values (a name, a path, an axis). */
export function Choice<T extends string>({
  label,
  ariaLabel,
  value,
  options,
  onChange,
}: {
  label: string;
  ariaLabel: string;
  value: T;
  options: readonly T[];
  onChange(value: T): void;
}) {
  return (
    <label>
      {label}{' '}
      <select
        value={value}
        aria-label={ariaLabel}
        onChange={(e) => onChange((e.target as HTMLSelectElement).value as T)}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}
