/** The entries of a zip (a file, or its bytes) and their text, read with yauzl (a zip library). */
import { fromBuffer, open, type ZipFile } from 'yauzl';

export function zipEntries(zipped: string | Buffer): Promise<{ name: string; text: string }[]> {
  return new Promise((resolve, reject) => {
    const opened = (err: Error | null, zip?: ZipFile) => {
      if (err || !zip) return reject(err);
      const out: { name: string; text: string }[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ name: entry.fileName, text: Buffer.concat(chunks).toString('utf8') });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    };
    if (typeof zipped === 'string') open(zipped, { lazyEntries: true }, opened);
    else fromBuffer(zipped, { lazyEntries: true }, opened);
  });
}
