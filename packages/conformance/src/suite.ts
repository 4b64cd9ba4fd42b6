import { capabilitiesOf } from '@trove/core/backend';
import { describe } from 'vitest';
import { conditionalCases } from './cases/conditional.js';
import { copyCases } from './cases/copy.js';
import { deleteCases } from './cases/delete.js';
import { errorCases } from './cases/errors.js';
import { keyCases } from './cases/keys.js';
import { listCases } from './cases/list.js';
import { materializeCases } from './cases/materialize.js';
import { rangeReadCases } from './cases/range-read.js';
import { readCases } from './cases/read.js';
import { renameCases } from './cases/rename.js';
import { signedUrlCases } from './cases/signed-url.js';
import { statCases } from './cases/stat.js';
import { writeCases } from './cases/write.js';
import { writeManyCases } from './cases/write-many.js';
import {
  type CaseSuite,
  type ConformanceOptions,
  createCaseSuite,
  disposeBackend,
} from './context.js';

const AREAS: [string, (suite: CaseSuite) => void][] = [
  ['stat', statCases],
  ['read', readCases],
  ['write', writeCases],
  ['conditional writes', conditionalCases],
  ['list', listCases],
  ['delete', deleteCases],
  ['copy', copyCases],
  ['keys', keyCases],
  ['errors', errorCases],
  ['rename', renameCases],
  ['writeMany', writeManyCases],
  ['materialize', materializeCases],
  ['range reads', rangeReadCases],
  ['signedUrl', signedUrlCases],
];

/**
 * Registers the conformance suite for one backend. Every test gets a fresh backend from
 * `create` and its own key prefix (`conformance/<random>/`), so backends that share a bucket
 * can run it side by side. Optional capabilities are tested when the backend declares them,
 * and reported as their own test when it does not.
 *
 * @example
 * describeBackendConformance('s3', {
 *   create: () => createS3Backend({ bucket: inject('bucket'), endpoint: inject('s3Endpoint') }),
 * });
 */
export function describeBackendConformance(name: string, options: ConformanceOptions): void {
  describe(`${name}: StorageBackend conformance`, async () => {
    // The capabilities decide which tests exist, so they are read once, while collecting.
    const probe = await options.create();
    const declared = capabilitiesOf(probe);
    await disposeBackend(probe, options, undefined);
    const suite = createCaseSuite(options, declared);
    for (const [area, register] of AREAS) describe(area, () => register(suite));
  });
}
