// A Backstage backend with exactly the plugins the portal's image contains, run by
// backstage_test.go against the app-config the stack generates:
//
//   node index.js --config app-config.yaml [--config override.yaml]
//
// Before the backend starts, the merged configuration is validated against the configuration
// schemas of every installed Backstage package (the check `backstage-cli config:check` makes);
// a schema error is printed as "Configuration schema validation failed" and exits 1, so a
// configuration Backstage rejects never boots.
'use strict';

const { ConfigSources, loadConfigSchema } = require('@backstage/config-loader');
const { createBackend } = require('@backstage/backend-defaults');
const pkg = require('./package.json');

async function validateConfig() {
  const config = await ConfigSources.toConfig(ConfigSources.default({}));
  try {
    const lockfile = require('./package-lock.json');
    // Every installed @backstage package, not only the direct dependencies: a plugin's schema
    // may live in a -node or -common package.
    const dependencies = Object.keys(lockfile.packages ?? {})
      .filter(p => p.startsWith('node_modules/@backstage/'))
      .map(p => p.slice('node_modules/'.length))
      .filter(name => !name.includes('/node_modules/'));
    const schema = await loadConfigSchema({
      dependencies: [...new Set([...Object.keys(pkg.dependencies), ...dependencies])],
    });
    schema.process([{ data: config.get(), context: 'app-config' }], {
      ignoreSchemaErrors: false,
    });
    console.log(`Configuration schema validation passed (${dependencies.length} packages)`);
  } finally {
    config.close();
  }
}

async function main() {
  try {
    await validateConfig();
  } catch (error) {
    console.error(`Configuration schema validation failed: ${error.message ?? error}`);
    process.exit(1);
  }

  const backend = createBackend();
  // Catalog, with the Template kind, GitHub discovery and the GitHub organisation sync.
  backend.add(require('@backstage/plugin-catalog-backend'));
  backend.add(require('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'));
  backend.add(require('@backstage/plugin-catalog-backend-module-github'));
  backend.add(require('@backstage/plugin-catalog-backend-module-github-org'));
  // Kubernetes.
  backend.add(require('@backstage/plugin-kubernetes-backend'));
  // TechDocs.
  backend.add(require('@backstage/plugin-techdocs-backend'));
  // Scaffolder, with the GitHub actions ("Request a tenancy" opens a pull request).
  backend.add(require('@backstage/plugin-scaffolder-backend'));
  backend.add(require('@backstage/plugin-scaffolder-backend-module-github'));
  // Sign-in with GitHub.
  backend.add(require('@backstage/plugin-auth-backend'));
  backend.add(require('@backstage/plugin-auth-backend-module-github-provider'));
  // Permissions.
  backend.add(require('@backstage/plugin-permission-backend'));
  backend.add(require('@backstage/plugin-permission-backend-module-allow-all-policy'));
  await backend.start();
  console.log('Backend started');
}

main().catch(error => {
  console.error(`Backend failed to start: ${error.stack ?? error}`);
  process.exit(1);
});
