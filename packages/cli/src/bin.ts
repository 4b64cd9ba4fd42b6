#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// The AWS SDK prints a Node.js version notice on every run under Node 20; it is noise in a CLI.
// Set before any backend is imported (backends are loaded on demand), and only if unset.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `trove runs ls | head -1`: when the reader of a pipe goes away, end quietly (no EPIPE stack).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

// A young generation that does not grow: a download's socket buffers are freed by the next
// scavenge instead of piling up in a 64 MiB new space. A 1 GiB get from MinIO peaked at 214 MiB
// with V8's default growth and at 120 MiB without it, and used less CPU (bench/RESULTS.md, get).
// Set here, in the CLI's own process only: a library never changes its host's heap.
setFlagsFromString('--semi-space-growth-factor=1');

const { main } = await import('./main.js');
process.exitCode = await main();
