import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackendConformance } from '@trove/conformance';
import type { StorageBackend } from '@trove/core';
import { LocalBackend } from '../src/index.js';

describeBackendConformance('local', {
  create: () => new LocalBackend({ root: mkdtempSync(join(tmpdir(), 'trove-local-conformance-')) }),
  cleanup: async (backend: StorageBackend) => {
    await rm((backend as LocalBackend).root, { recursive: true, force: true });
  },
});
