import { MemoryBackend } from '@trove/core/backend';
import { describeBackendConformance } from '../src/index.js';

describeBackendConformance('memory', { create: () => new MemoryBackend() });

// The same backend with conditional writes declared non-atomic and rename turned off, to check
// that the suite reports switched-off capabilities as tests instead of skipping them.
describeBackendConformance('memory (capabilities overridden)', {
  create: () => new MemoryBackend(),
  capabilityOverrides: { rename: false, rangeRead: false, ifNoneMatch: false },
});
