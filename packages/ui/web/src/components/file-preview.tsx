/**
 * A file of a run previewed from its first MiB (the server reads no more): an image as an image,
 * JSON pretty-printed, CSV/TSV as a table, text as text, anything else as its size and a
 * download link.
 */
import { fileUrl, getJson } from '../api.js';
import { formatBytes } from '../format.js';
import type { Preview } from '../types.js';
import { useAsync } from '../use-async.js';
import { ErrorView, Loading } from './error-view.js';

export function FilePreview({ run, path }: { run: string; path: string }) {
  const preview = useAsync(
    (signal) => getJson<Preview>(`runs/${encodeURIComponent(run)}/preview`, { path }, signal),
    [run, path],
  );
  const p = preview.data;
  return (
    <section class="preview" data-path={path} data-kind={p?.kind}>
      <h3>
        {path}{' '}
        <a class="button" href={fileUrl(run, path, true)} download>
          Download
        </a>
      </h3>
      {preview.error ? (
        <ErrorView error={preview.error} />
      ) : !p ? (
        <Loading what="the preview" />
      ) : (
        <>
          <p class="muted">
            {formatBytes(p.size)}
            {p.truncated ? ' · the first MiB is shown' : ''}
          </p>
          {p.kind === 'image' && <img class="preview-image" src={fileUrl(run, path)} alt={path} />}
          {p.kind === 'text' && <pre class="preview-text">{p.text}</pre>}
          {p.kind === 'json' && (
            <pre class="preview-json">
              {p.json === undefined ? p.text : JSON.stringify(p.json, null, 2)}
            </pre>
          )}
          {p.kind === 'table' && p.table && <PreviewTable table={p.table} />}
          {p.kind === 'binary' && <p>A binary file: download it to open it.</p>}
        </>
      )}
    </section>
  );
}

function PreviewTable({ table }: { table: NonNullable<Preview['table']> }) {
  return (
    <div class="table-wrap">
      <table class="preview-table">
        <thead>
          <tr>
            {table.columns.map((c, i) => (
              <th key={`${i}-${c}`}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, r) => (
            // rows have no identity but their place
            <tr key={r}>
              {row.map((cell, c) => (
                <td key={c}>{cell ?? ''}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
