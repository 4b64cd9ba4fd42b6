#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';

// V8's young generation starts small, before any module is loaded (young-generation.ts says
// why, and lets it grow when a run of small objects comes through).
setFlagsFromString('--semi-space-growth-factor=1');

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

const { fitYoungGeneration } = await import('./young-generation.js');
fitYoungGeneration();

const { main } = await import('./main.js');
process.exitCode = await main();
