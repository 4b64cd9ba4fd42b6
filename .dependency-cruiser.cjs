// dependency-cruiser: the layers of @trove/core (docs/architecture.md), no cycles, no backend in
// core, and packages that meet only at their entry points. Run by `pnpm lint` as
// `depcruise packages --config .dependency-cruiser.cjs`.
//
// TypeScript is parsed with the `typescript` package's JS API, which TypeScript 7 (the
// workspace's compiler) does not have: dependency-cruiser gets TypeScript 5.9 as a dependency of
// its own (`packageExtensions` in pnpm-workspace.yaml). Its swc parser was no way out: it stops at
// `await using`. `tsPreCompilationDeps`: `import type` counts as a dependency for every rule here.
const { readdirSync, readFileSync, realpathSync } = require('node:fs');
const { join } = require('node:path');

// Without a typescript <7 of its own, dependency-cruiser skips every .ts file and finds nothing
// wrong: fail instead (e.g. after an upgrade that the packageExtensions entry does not match).
const cruiser = realpathSync(join(__dirname, 'node_modules', 'dependency-cruiser'));
const tsVersion = require(require.resolve('typescript/package.json', { paths: [cruiser] })).version;
if (Number(tsVersion.split('.')[0]) >= 7) {
  throw new Error(
    `dependency-cruiser finds typescript ${tsVersion}, whose JS API it cannot use: give it typescript 5 (packageExtensions in pnpm-workspace.yaml).`,
  );
}

const CORE = '^packages/core/src/';

/** Core's layers, lowest first: a module may import its own layer and the ones below. */
const LAYERS = [
  ['errors\\.ts$', 'user-path-errors\\.ts$', 'py/'],
  ['backend/', 'search/'],
  ['project/', 'hash/', 'dvc/', 'layout/', 'fs/'],
  ['store/'],
  ['record/', 'registry/'],
  ['refs/', 'tables/', 'sync/'],
  ['run/'],
  ['dialect\\.ts$'],
].map((parts) => `${CORE}(${parts.join('|')})`);

/** Test code: exempt from the layers, not from the rules between packages. */
const TESTS = ['\\.test\\.ts$', '^packages/[^/]+/test/'];

/**
 * Every package's entry points, as files: what its `exports` map points at (`default` and
 * `types`, or a plain string), for the rule that packages meet only there.
 */
function entryPoints() {
  const out = [];
  for (const name of readdirSync('packages')) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join('packages', name, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const targets = [];
    const collect = (value) => {
      if (typeof value === 'string') targets.push(value);
      else if (value && typeof value === 'object') for (const v of Object.values(value)) collect(v);
    };
    collect(manifest.exports);
    for (const target of targets) {
      if (target.endsWith('package.json')) continue;
      const file = join('packages', name, target).replace(/\\/g, '/');
      out.push(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    }
  }
  return out;
}

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `core-layer-${i}`,
  comment: `A layer-${i} module of core imports only layers 0-${i} (docs/architecture.md, "Layers").`,
  severity: 'error',
  from: { path: layer, pathNot: TESTS },
  to: { path: LAYERS.slice(i + 1) },
}));

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'core-module-without-layer',
      comment:
        'Every module of core belongs to a layer (or is index.ts, the public face): add it to LAYERS in .dependency-cruiser.cjs and docs/architecture.md, or move it.',
      severity: 'error',
      from: { path: '^packages/' },
      to: { path: CORE, pathNot: [...LAYERS, `${CORE}index\\.ts$`, ...TESTS] },
    },
    {
      name: 'dialects-apart',
      comment: 'A dialect package (live, mlflow, polyaxon) never imports another one.',
      severity: 'error',
      from: { path: '^packages/(live|mlflow|polyaxon)/' },
      to: {
        path: ['^packages/(live|mlflow|polyaxon)/', '@trove/(live|mlflow|polyaxon)$'],
        pathNot: '^packages/$1/',
      },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles, in any package (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-no-backend',
      comment: 'Core loads backends by name at run time; it never imports a backend package.',
      severity: 'error',
      from: { path: '^packages/core/' },
      to: { path: ['^packages/backend-', '@trove/backend-'] },
    },
    {
      name: 'packages-meet-at-entry-points',
      comment:
        "A package imports another only through its exports (`@trove/core`, `@trove/core/backend`, …): never another package's src, dist files or test folder.",
      severity: 'error',
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/', pathNot: ['^packages/$1/', ...entryPoints()] },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import resolves (a deep import that a package.json `exports` map does not allow does not).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    doNotFollow: { path: ['node_modules', '/dist/'] },
    exclude: { path: ['/fixtures/', '/node_modules/'] },
    moduleSystems: ['es6', 'cjs'],
    // Entry points resolve through `exports` with the conditions Node uses for `import`.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'default'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
