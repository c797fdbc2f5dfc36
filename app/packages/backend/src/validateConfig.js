// Validates the merged configuration against the configuration schema of every installed
// Backstage package before the backend starts (the check `backstage-cli config:check`
// makes), so a configuration Backstage would misread never boots.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { ConfigSources, loadConfigSchema } = require('@backstage/config-loader');

/** @returns {string[]} every @backstage package installed beside the backend */
function installedBackstagePackages() {
  const scope = path.dirname(require.resolve('@backstage/backend-defaults/package.json'));
  return fs.readdirSync(path.dirname(scope)).map(name => `@backstage/${name}`);
}

async function validateConfig() {
  const config = await ConfigSources.toConfig(ConfigSources.default({}));
  try {
    const dependencies = [...installedBackstagePackages(), 'backend'];
    const schema = await loadConfigSchema({ dependencies });
    schema.process([{ data: config.get(), context: 'app-config' }], { ignoreSchemaErrors: false });
    console.log(`Configuration schema validation passed (${dependencies.length} packages)`);
  } finally {
    config.close();
  }
}

module.exports = { validateConfig };
