/** Chooses the param, metric and tag columns of the runs table, from every key the store has. */
import type { Group } from '../run-columns.js';
import type { Columns } from '../types.js';

interface Props {
  all: Columns;
  chosen: { group: Group; name: string }[];
  onChange(chosen: { group: Group; name: string }[]): void;
}

export function ColumnPicker({ all, chosen, onChange }: Props) {
  const has = (group: Group, name: string) =>
    chosen.some((c) => c.group === group && c.name === name);
  const toggle = (group: Group, name: string) =>
    onChange(
      has(group, name)
        ? chosen.filter((c) => !(c.group === group && c.name === name))
        : [...chosen, { group, name }],
    );
  const groups: Group[] = ['metrics', 'params', 'tags'];
  return (
    <details class="column-picker">
      <summary>Columns ({chosen.length})</summary>
      <div class="picker-body">
        {groups.map((group) => (
          <fieldset key={group}>
            <legend>{group}</legend>
            {all[group].length === 0 && <span class="muted">none</span>}
            {all[group].map((name) => (
              <label key={name}>
                <input
                  type="checkbox"
                  data-column={`${group}.${name}`}
                  checked={has(group, name)}
                  onChange={() => toggle(group, name)}
                />
                {name}
              </label>
            ))}
          </fieldset>
        ))}
      </div>
    </details>
  );
}
