/**
 * `/models`: registered models with their version count, aliases and tags; `/models/<name>`: a
 * model's versions with aliases, tags, md5 and the run each version came from.
 */
import { getJson } from '../api.js';
import { ErrorView, Loading } from '../components/error-view.js';
import { KeyValues } from '../components/key-values.js';
import { EmptyRow, HeadRow } from '../components/table-rows.js';
import { formatTime, formatValue, shortId } from '../format.js';
import { withQuery } from '../router.js';
import type { ModelDetail, ModelSummary } from '../types.js';
import { useAsync } from '../use-async.js';

function tagText(tags: Record<string, unknown>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(', ');
}

function aliasText(aliases: Record<string, number | string>): string {
  return Object.entries(aliases)
    .map(([a, v]) => `@${a} → v${v}`)
    .join(', ');
}

export function ModelsPage() {
  const models = useAsync(
    (signal) => getJson<{ models: ModelSummary[] }>('models', {}, signal),
    [],
  );
  if (models.error) return <ErrorView error={models.error} />;
  if (!models.data) return <Loading what="models" />;
  return (
    <section class="models-page">
      <h1>Models</h1>
      <table class="models">
        <HeadRow names={['name', 'versions', 'latest', 'aliases', 'tags']} />
        <tbody>
          {models.data.models.map((m) => (
            <tr key={m.name} data-model={m.name}>
              <td>
                <a href={`/models/${encodeURIComponent(m.name)}`}>{m.name}</a>
              </td>
              <td class="num">{m.versions}</td>
              <td>{m.latest === null ? '' : `v${m.latest}`}</td>
              <td>{aliasText(m.aliases)}</td>
              <td>{tagText(m.tags)}</td>
            </tr>
          ))}
          {models.data.models.length === 0 && <EmptyRow span={5} text="no registered models" />}
        </tbody>
      </table>
    </section>
  );
}

export function ModelPage({ name }: { name: string }) {
  const model = useAsync(
    (signal) => getJson<ModelDetail>(`models/${encodeURIComponent(name)}`, {}, signal),
    [name],
  );
  if (model.error) return <ErrorView error={model.error} />;
  if (!model.data) return <Loading what={`model ${name}`} />;
  const m = model.data;
  return (
    <section class="model-page" data-model={m.name}>
      <h1>
        <a href="/models">Models</a> / {m.name}
      </h1>
      <p class="muted">{aliasText(m.aliases)}</p>
      <KeyValues title="tags" values={m.tags} />
      <table class="versions">
        <caption>versions</caption>
        <HeadRow names={['version', 'aliases', 'run', 'source', 'md5', 'tags', 'created', '']} />
        <tbody>
          {m.versions.map((v) => (
            <tr key={String(v.version)} data-version={v.version}>
              <td>v{v.version}</td>
              <td>{v.aliases.map((a) => `@${a}`).join(' ')}</td>
              <td>
                {v.runId ? (
                  <a href={`/run/${encodeURIComponent(v.runId)}`}>{shortId(v.runId)}</a>
                ) : (
                  ''
                )}
              </td>
              <td>
                <code>{v.source}</code>
              </td>
              <td>
                <code title={v.md5}>{shortId(v.md5)}</code>
              </td>
              <td data-tags>{tagText(v.tags)}</td>
              <td>{formatTime(v.createdAt)}</td>
              <td>
                <a href={withQuery('/lineage', { ref: `models:/${m.name}/${v.version}` })}>
                  lineage
                </a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
