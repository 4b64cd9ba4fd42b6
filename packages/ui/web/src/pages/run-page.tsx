/**
 * `/run/<id>[?path=<file>]`: one run: what it recorded (params, summary, tags, git), its
 * artifacts with previews and downloads, and its events. The previewed file is in the URL.
 */
import { getJson } from '../api.js';
import { ArtifactTree } from '../components/artifact-tree.js';
import { ErrorView, Loading } from '../components/error-view.js';
import { FilePreview } from '../components/file-preview.js';
import { KeyValues } from '../components/key-values.js';
import { EmptyRow, HeadRow } from '../components/table-rows.js';
import { formatTime, formatValue } from '../format.js';
import { withQuery } from '../router.js';
import type { RunDetail } from '../types.js';
import { useAsync } from '../use-async.js';

export function RunPage({ id, query }: { id: string; query: URLSearchParams }) {
  const detail = useAsync(
    (signal) => getJson<RunDetail>(`runs/${encodeURIComponent(id)}`, {}, signal),
    [id],
  );
  const path = query.get('path') ?? undefined;
  if (detail.error) return <ErrorView error={detail.error} />;
  if (!detail.data) return <Loading what={`run ${id}`} />;
  const { run, artifacts, events } = detail.data;
  const facts: [string, unknown][] = [
    ['id', run.id],
    ['status', run.status],
    ['started', formatTime(run.startTime)],
    ['ended', formatTime(run.endTime)],
    ['experiment', run.experiment],
    [
      'host',
      typeof run.host === 'object'
        ? ((run.host as { hostname?: string })?.hostname ?? run.host)
        : run.host,
    ],
  ];
  return (
    <section class="run-page" data-run={run.id}>
      <h1>
        {run.name || run.id} <span class={`status status-${run.status}`}>{run.status}</span>
      </h1>
      <p>
        <a href={withQuery('/lineage', { ref: run.id })}>lineage</a>
      </p>
      <div class="grid-2">
        <table class="key-values" data-table="run">
          <caption>run</caption>
          <tbody>
            {facts
              .filter(([, v]) => v !== undefined && v !== '')
              .map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>{formatValue(v)}</td>
                </tr>
              ))}
          </tbody>
        </table>
        <KeyValues title="git" values={run.git} />
        <KeyValues title="params" values={run.params} />
        <KeyValues title="summary" values={run.summary} />
        <KeyValues title="tags" values={run.tags} />
      </div>

      <h2>Artifacts</h2>
      <ArtifactTree run={run.id} artifacts={artifacts} previewing={path} />
      {path && <FilePreview run={run.id} path={path} />}

      <h2>Events</h2>
      <table class="events">
        <HeadRow names={['kind', 'name', 'events']} />
        <tbody>
          {events.map((e) => (
            <tr key={`${e.kind}/${e.name}`} data-event={`${e.kind}/${e.name}`}>
              <td>{e.kind}</td>
              <td>{e.name}</td>
              <td class="num">{e.count}</td>
            </tr>
          ))}
          {events.length === 0 && <EmptyRow span={3} text="no events" />}
        </tbody>
      </table>
    </section>
  );
}
