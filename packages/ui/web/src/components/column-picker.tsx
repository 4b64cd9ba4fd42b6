/**
 * Chooses the param, metric and tag columns of the runs table, from every key the store has
 * (`/api/columns`, fetched when the picker is first opened: the runs page's first rows do not
 * wait for it).
 */
import { useState } from 'preact/hooks';
import { getJson } from '../api.js';
import type { Group } from '../run-columns.js';
import type { Columns } from '../types.js';
import { useAsync } from '../use-async.js';
import { ErrorView, Loading } from './error-view.js';

interface Props {
  chosen: { group: Group; name: string }[];
  onChange(chosen: { group: Group; name: string }[]): void;
}

export function ColumnPicker({ chosen, onChange }: Props) {
  const [opened, setOpened] = useState(false);
  const all = useAsync(
    (signal) => (opened ? getJson<Columns>('columns', {}, signal) : Promise.resolve(undefined)),
    [opened],
  );
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
    <details
      class="column-picker"
      onToggle={(e) => (e.target as HTMLDetailsElement).open && setOpened(true)}
    >
      <summary>Columns ({chosen.length})</summary>
      <div class="picker-body">
        {all.error ? <ErrorView error={all.error} /> : null}
        {opened && !all.data && !all.error ? <Loading what="the columns" /> : null}
        {all.data &&
          groups.map((group) => (
            <fieldset key={group}>
              <legend>{group}</legend>
              {all.data?.[group].length === 0 && <span class="muted">none</span>}
              {all.data?.[group].map((name) => (
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
