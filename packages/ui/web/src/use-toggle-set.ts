/**
 * A set of ids a page turns on and off one at a time (the runs selected on the runs page, the
 * runs hidden in the compare view), with a way to empty it.
 */
import { useState } from 'preact/hooks';

export function useToggleSet(): [ReadonlySet<string>, (id: string) => void, () => void] {
  const [ids, setIds] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setIds((now) => {
      const next = new Set(now);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  return [ids, toggle, () => setIds(new Set())];
}
