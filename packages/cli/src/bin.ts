#!/usr/bin/env node
// The AWS SDK prints a Node.js version notice on every run under Node 20; it is noise in a CLI.
// Set before any backend is imported (backends are loaded on demand), and only if unset.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { main } = await import('./main.js');
process.exitCode = await main();
