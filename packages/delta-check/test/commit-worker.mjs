// One contending process of commit-processes.test.ts: `node commit-worker.mjs <root> <writer> <n>`
// commits n one-row files to the table at <root> (the built package, as another program would),
// then prints the versions it got as one JSON line.
import { LocalBackend } from '@trove/backend-local';
import { defineSchema, openTable } from '@trove/delta';

const [root, writer, count] = process.argv.slice(2);
const schema = defineSchema([
  { name: 'id', type: 'string', nullable: false },
  { name: 'writer', type: 'integer' },
  { name: 'seq', type: 'long' },
]);
const table = openTable(new LocalBackend({ root }), '', { schema });
const versions = [];
for (let s = 0; s < Number(count); s++) {
  const w = Number(writer);
  const result = await table.commit(() => ({ add: [[{ id: `p${w}-s${s}`, writer: w, seq: s }]] }));
  versions.push(result.version);
}
process.stdout.write(`${JSON.stringify({ versions })}\n`);
