import { describeBackendConformance } from '@trove/conformance';
import { createContainer } from '@trove/test-utils/azurite';
import { inject } from 'vitest';
import { newBackend } from './helpers.js';

const connectionString = inject('azureConnectionString');
// One container for the file; the suite gives every case its own key prefix inside it.
const container = await createContainer(connectionString, 'conformance');

// Nothing turned off: Azurite honours every capability Azure has (atomic create-only and ifMatch
// writes, server-side copy, ranges, SAS checked for real).
describeBackendConformance('azure (Azurite)', {
  create: () => newBackend(connectionString, container),
});
