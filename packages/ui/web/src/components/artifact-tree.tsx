/**
 * A run's artifacts: files with their size and md5, folders that open to their files (fetched
 * when opened), a preview link per file, a download per file and a zip per folder.
 */
import { useState } from 'preact/hooks';
import { apiUrl, fileUrl, getJson } from '../api.js';
import { formatBytes, shortId } from '../format.js';
import { withQuery } from '../router.js';
import type { ArtifactEntry, TreeEntry } from '../types.js';
import { useAsync } from '../use-async.js';
import { ErrorView, Loading } from './error-view.js';
import { EmptyRow, HeadRow } from './table-rows.js';

interface Props {
  run: string;
  artifacts: ArtifactEntry[];
  previewing: string | undefined;
}

export function ArtifactTree({ run, artifacts, previewing }: Props) {
  return (
    <table class="artifact-tree">
      <HeadRow names={['path', 'size', 'md5', 'type', '']} />
      <tbody>
        {artifacts.map((a) =>
          a.stored === false ? (
            <tr key={a.path} class="unstored" data-path={a.path}>
              <td>{a.path}</td>
              <td class="num">{formatBytes(a.size)}</td>
              <td>
                <code title={a.md5}>{shortId(a.md5)}</code>
              </td>
              <td>{a.type ?? ''}</td>
              <td class="muted">not stored</td>
            </tr>
          ) : a.isDir ? (
            <Folder key={a.path} run={run} entry={a} previewing={previewing} />
          ) : (
            <FileRow key={a.path} run={run} entry={a} previewing={previewing} />
          ),
        )}
        {artifacts.length === 0 && <EmptyRow span={5} text="no artifacts" />}
      </tbody>
    </table>
  );
}

function FileRow({
  run,
  entry,
  previewing,
  depth = 0,
}: {
  run: string;
  entry: TreeEntry & Partial<ArtifactEntry>;
  previewing: string | undefined;
  depth?: number;
}) {
  const href = withQuery(`/run/${encodeURIComponent(run)}`, { path: entry.path });
  return (
    <tr class={`file${previewing === entry.path ? ' previewing' : ''}`} data-path={entry.path}>
      <td style={{ paddingLeft: `${0.5 + depth * 1.25}em` }}>
        <a href={href} class="preview-link">
          {depth ? entry.path.split('/').pop() : entry.path}
        </a>
      </td>
      <td class="num">{formatBytes(entry.size)}</td>
      <td>
        <code title={entry.md5}>{shortId(entry.md5)}</code>
      </td>
      <td>{entry.type ?? ''}</td>
      <td>
        <a href={fileUrl(run, entry.path, true)} download class="download">
          download
        </a>
      </td>
    </tr>
  );
}

function Folder({
  run,
  entry,
  previewing,
}: {
  run: string;
  entry: ArtifactEntry;
  previewing: string | undefined;
}) {
  const [open, setOpen] = useState(previewing?.startsWith(`${entry.path}/`) ?? false);
  return (
    <>
      <tr class="folder" data-path={entry.path}>
        <td>
          <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'} {entry.path}/
          </button>
        </td>
        <td class="num">
          {formatBytes(entry.size)}
          {entry.nfiles !== undefined ? ` · ${entry.nfiles} files` : ''}
        </td>
        <td>
          <code title={entry.md5}>{shortId(entry.md5)}</code>
        </td>
        <td>{entry.type ?? ''}</td>
        <td>
          <a
            href={apiUrl(`runs/${encodeURIComponent(run)}/zip`, { path: entry.path })}
            download
            class="download-zip"
          >
            download zip
          </a>
        </td>
      </tr>
      {open && <FolderFiles run={run} dir={entry.path} previewing={previewing} />}
    </>
  );
}

function FolderFiles({ run, dir, previewing }: { run: string; dir: string; previewing?: string }) {
  const tree = useAsync(
    (signal) =>
      getJson<{ entries: TreeEntry[] }>(
        `runs/${encodeURIComponent(run)}/tree`,
        { path: dir },
        signal,
      ),
    [run, dir],
  );
  if (tree.error || !tree.data) {
    return (
      <tr>
        <td colSpan={5}>
          {tree.error ? <ErrorView error={tree.error} /> : <Loading what={dir} />}
        </td>
      </tr>
    );
  }
  return (
    <>
      {tree.data.entries.map((e) => (
        <FileRow key={e.path} run={run} entry={e} previewing={previewing} depth={1} />
      ))}
    </>
  );
}
