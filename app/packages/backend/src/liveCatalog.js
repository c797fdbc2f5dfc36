// The live catalog: catalog files the kubelet updates in place while the portal runs (the
// tenants, one ConfigMap per shard, mounted at corePlatform.liveCatalog.directory). The catalog
// reads a file location again only at its processing interval (100 to 150 s); this module
// notices the kubelet's update and asks the catalog to refresh those locations at once, so a
// merged tenancy shows within seconds of its ConfigMap reaching the pod, and without a restart.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { coreServices, createBackendModule } = require('@backstage/backend-plugin-api');
const { catalogServiceRef, locationSpecToMetadataName } = require('@backstage/plugin-catalog-node');

/**
 * What identifies one version of the directory's content. The kubelet writes every update of a
 * ConfigMap or projected volume into a new hidden directory and then swaps the ..data link to
 * it, so the link's target changes exactly when the content does. A plain directory (a
 * development checkout) is identified by its files' sizes and modification times instead.
 * @param {string} dir
 * @returns {string}
 */
function contentVersion(dir) {
  try {
    return `link:${fs.readlinkSync(path.join(dir, '..data'))}`;
  } catch {
    // not a kubelet-managed volume, or not there (yet)
  }
  const parts = [];
  const walk = d => {
    let entries = [];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else {
        try {
          const s = fs.statSync(p);
          parts.push(`${p}:${s.size}:${s.mtimeMs}`);
        } catch {
          // removed while walking: the next poll sees the rest of the change
        }
      }
    }
  };
  walk(dir);
  return `files:${parts.join('|')}`;
}

/**
 * The refs of the Location entities the catalog made of the app-config's file locations
 * under dir.
 * @param {import('@backstage/config').Config} config
 * @param {string} dir
 * @returns {string[]}
 */
function liveLocationRefs(config, dir) {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return (config.getOptionalConfigArray('catalog.locations') ?? [])
    .filter(l => l.getString('type') === 'file' && l.getString('target').startsWith(prefix))
    .map(l => `location:default/${locationSpecToMetadataName({ type: 'file', target: l.getString('target') })}`);
}

const liveCatalogModule = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'core-platform-live-catalog',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ config, logger, lifecycle, auth, catalog }) {
        const dir = config.getOptionalString('corePlatform.liveCatalog.directory');
        if (!dir) {
          return;
        }
        const refs = liveLocationRefs(config, dir);
        const pollMs = (config.getOptionalNumber('corePlatform.liveCatalog.pollSeconds') ?? 5) * 1000;
        let seen = contentVersion(dir);
        let timer;
        const poll = async () => {
          const now = contentVersion(dir);
          if (now !== seen) {
            seen = now;
            const started = Date.now();
            for (const ref of refs) {
              try {
                await catalog.refreshEntity(ref, { credentials: await auth.getOwnServiceCredentials() });
              } catch (error) {
                // The next change retries; the processing interval catches up regardless.
                logger.warn(`Live catalog: refreshing ${ref} failed: ${error}`);
              }
            }
            logger.info(`Live catalog: ${dir} changed, refreshed ${refs.length} location(s) in ${Date.now() - started} ms`);
          }
          timer = setTimeout(poll, pollMs);
        };
        lifecycle.addStartupHook(() => {
          logger.info(`Live catalog: watching ${dir} every ${pollMs / 1000} s for ${refs.length} location(s)`);
          timer = setTimeout(poll, pollMs);
        });
        lifecycle.addShutdownHook(() => clearTimeout(timer));
      },
    });
  },
});

module.exports = { liveCatalogModule, contentVersion, liveLocationRefs };
