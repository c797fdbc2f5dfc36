// The live catalog: the tenants' catalog files, one ConfigMap per shard, which change while the
// portal runs. A ConfigMap mounted as a volume reaches a running pod only at the kubelet's next
// sync of that pod (a minute and up to half a minute more), so this module reads the
// ConfigMaps from the Kubernetes API instead: it watches each one by name, writes its items
// into corePlatform.liveCatalog.directory (an emptyDir) and asks the catalog to read those
// locations again at once. A merged tenancy shows seconds after its deploy, without a restart.
//
// The pod's service account may get and watch exactly these ConfigMaps (a Role with their
// names, portal/access.go); a watch names its ConfigMap with a field selector, which is what
// lets the API server apply that Role to it.
'use strict';

const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { coreServices, createBackendModule } = require('@backstage/backend-plugin-api');
const { catalogServiceRef, locationSpecToMetadataName } = require('@backstage/plugin-catalog-node');

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * How the module reaches the API server: the pod's service account, or, outside a pod,
 * corePlatform.liveCatalog.kubernetes (url, caFile, tokenFile). Only HTTPS.
 * @param {import('@backstage/config').Config} config
 */
function clusterAccess(config) {
  const c = config.getOptionalConfig('corePlatform.liveCatalog.kubernetes');
  let url = c?.getOptionalString('url');
  if (!url) {
    const host = process.env.KUBERNETES_SERVICE_HOST;
    const port = process.env.KUBERNETES_SERVICE_PORT;
    if (!host || !port) {
      throw new Error(
        'corePlatform.liveCatalog: KUBERNETES_SERVICE_HOST is not set (not in a pod) and corePlatform.liveCatalog.kubernetes.url is not set',
      );
    }
    url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  const base = new URL(url);
  if (base.protocol !== 'https:') {
    throw new Error('corePlatform.liveCatalog.kubernetes.url must be an https URL');
  }
  const caFile = c?.getOptionalString('caFile') ?? `${SERVICE_ACCOUNT_DIR}/ca.crt`;
  const tokenFile = c?.getOptionalString('tokenFile') ?? `${SERVICE_ACCOUNT_DIR}/token`;
  return {
    base,
    tokenFile,
    // One connection per watch; keep-alive reuses them for the gets.
    agent: new https.Agent({ keepAlive: true, ca: fs.readFileSync(caFile) }),
  };
}

/**
 * The ConfigMaps to follow, from corePlatform.liveCatalog.configMaps. Every item's path must
 * stay inside the directory.
 * @param {import('@backstage/config').Config} config
 */
function liveConfigMaps(config) {
  return (config.getOptionalConfigArray('corePlatform.liveCatalog.configMaps') ?? []).map(c => ({
    name: c.getString('name'),
    items: c.getConfigArray('items').map(i => {
      const p = i.getString('path');
      if (path.isAbsolute(p) || p.split('/').some(s => s === '..' || s === '')) {
        throw new Error(`corePlatform.liveCatalog.configMaps: ${c.getString('name')}: path ${JSON.stringify(p)} leaves the directory`);
      }
      return { key: i.getString('key'), path: p };
    }),
  }));
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

/** One request to the API server; resolves with the response (the caller reads the body). */
function apiRequest(access, pathAndQuery, timeoutMs) {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(pathAndQuery, access.base), {
      agent: access.agent,
      headers: {
        // Read on every request: the kubelet rotates the projected token.
        authorization: `Bearer ${fs.readFileSync(access.tokenFile, 'utf8').trim()}`,
        accept: 'application/json',
      },
      timeout: timeoutMs,
    });
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end();
  });
}

async function readBody(res) {
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res) {
    body += chunk;
  }
  return body;
}

/** Why the API server refused, without echoing what it sent back beyond its status message. */
function refusal(name, res, body) {
  let message = '';
  try {
    message = JSON.parse(body).message ?? '';
  } catch {
    // not a Status object
  }
  return new Error(`ConfigMap ${name}: ${res.statusCode}${message ? ` ${message}` : ''}`);
}

/**
 * Follows one ConfigMap: writes its items under dir whenever they change and calls changed().
 */
class Follower {
  constructor({ access, namespace, dir, configMap, logger, changed }) {
    Object.assign(this, { access, namespace, dir, configMap, logger, changed });
    this.resourceVersion = undefined;
    this.written = new Map(); // path -> content last written
    this.stopped = false;
    this.request = undefined;
  }

  get objectPath() {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/configmaps/${encodeURIComponent(this.configMap.name)}`;
  }

  /** Reads the ConfigMap and writes it; a missing ConfigMap is an empty one. */
  async load() {
    const res = await apiRequest(this.access, this.objectPath, 30_000);
    const body = await readBody(res);
    if (res.statusCode === 404) {
      this.write(undefined);
      this.resourceVersion = undefined;
      return;
    }
    if (res.statusCode !== 200) {
      throw refusal(this.configMap.name, res, body);
    }
    const object = JSON.parse(body);
    this.write(object.data ?? {});
    // Not the object's resourceVersion: that is the version of its last change, which the API
    // server's watch cache drops after a few minutes of other changes, so a watch from it can
    // end at once with 410 Gone, read again, and end again, every retry (the parts then only
    // arrived at each backoff, up to 30 s apart). A watch without one starts with the object
    // as it is now (ADDED) and goes on with its changes.
    this.resourceVersion = undefined;
  }

  /** Writes each item whose content changed (a new file, then a rename: readers see whole files). */
  write(data) {
    let changes = 0;
    for (const { key, path: rel } of this.configMap.items) {
      const file = path.join(this.dir, rel);
      const content = data?.[key];
      if (this.written.get(rel) === content) {
        continue;
      }
      if (content === undefined) {
        fs.rmSync(file, { force: true });
        this.written.delete(rel);
      } else {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const next = `${file}.next`;
        // A container killed mid-write leaves its read-only .next in the emptyDir, which
        // outlives the container; writing over it would fail every start after.
        fs.rmSync(next, { force: true });
        fs.writeFileSync(next, content, { mode: 0o444 });
        fs.renameSync(next, file);
        this.written.set(rel, content);
      }
      changes++;
    }
    if (changes > 0) {
      this.changed(this.configMap.name);
    }
  }

  /** Watches from the last version read until the API server ends the watch. */
  async watch() {
    const query = new URLSearchParams({
      fieldSelector: `metadata.name=${this.configMap.name}`,
      watch: 'true',
      allowWatchBookmarks: 'true',
      // The API server ends the watch after this; the loop starts the next one.
      timeoutSeconds: String(300 + Math.floor(Math.random() * 300)),
    });
    if (this.resourceVersion) {
      query.set('resourceVersion', this.resourceVersion);
    }
    const res = await apiRequest(
      this.access,
      `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/configmaps?${query}`,
      // A watch is silent while nothing changes: the socket's idle limit is past the server's end.
      700_000,
    );
    if (res.statusCode !== 200) {
      throw refusal(this.configMap.name, res, await readBody(res));
    }
    res.setEncoding('utf8');
    let buffered = '';
    for await (const chunk of res) {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim()) {
          this.event(JSON.parse(line));
        }
      }
    }
  }

  event({ type, object }) {
    switch (type) {
      case 'ADDED':
      case 'MODIFIED':
        this.write(object.data ?? {});
        this.resourceVersion = object.metadata.resourceVersion;
        break;
      case 'DELETED':
        this.write(undefined);
        this.resourceVersion = object.metadata.resourceVersion;
        break;
      case 'BOOKMARK':
        this.resourceVersion = object.metadata.resourceVersion;
        break;
      default:
        // ERROR: 410 Gone means the version is too old to watch from; read the object again.
        this.resourceVersion = undefined;
        throw new Error(`ConfigMap ${this.configMap.name}: watch ended with ${object?.code ?? type} ${object?.reason ?? ''}`);
    }
  }

  /** Watches until stopped, reading the object again whenever the watch cannot resume. */
  async run() {
    let backoff = 1000;
    while (!this.stopped) {
      try {
        if (!this.resourceVersion) {
          await this.load();
        }
        await this.watch();
        backoff = 1000;
      } catch (error) {
        if (this.stopped) {
          return;
        }
        this.logger.warn(`Live catalog: ${error.message ?? error}; retrying in ${backoff / 1000} s`);
        this.resourceVersion = undefined;
        await new Promise(r => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }
}

/** Retries fn until it succeeds or deadlineMs passes, then throws its last error. */
async function retryUntil(deadlineMs, fn) {
  const end = Date.now() + deadlineMs;
  for (let wait = 500; ; wait = Math.min(wait * 2, 5000)) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() + wait > end) {
        throw error;
      }
      await new Promise(r => setTimeout(r, wait));
    }
  }
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
        const configMaps = liveConfigMaps(config);
        if (!dir || configMaps.length === 0) {
          return;
        }
        const namespace = config.getString('corePlatform.liveCatalog.namespace');
        const access = clusterAccess(config);
        const refs = liveLocationRefs(config, dir);

        // Refreshes the locations once per burst of changes (a deploy updates several parts).
        let started = false;
        let pending;
        const changedSince = new Set();
        const refresh = async () => {
          pending = undefined;
          const names = [...changedSince];
          changedSince.clear();
          const t0 = Date.now();
          for (const ref of refs) {
            try {
              await catalog.refreshEntity(ref, { credentials: await auth.getOwnServiceCredentials() });
            } catch (error) {
              // The next change retries; the processing interval catches up regardless.
              logger.warn(`Live catalog: refreshing ${ref} failed: ${error}`);
            }
          }
          logger.info(`Live catalog: ${names.join(', ')} changed; refreshed ${refs.length} location(s) in ${Date.now() - t0} ms`);
        };
        const changed = name => {
          changedSince.add(name);
          if (started && !pending) {
            pending = setTimeout(refresh, 200);
          }
        };

        const followers = configMaps.map(
          configMap => new Follower({ access, namespace, dir, configMap, logger, changed }),
        );
        // Every part is on disk before the catalog first reads the locations: a part missing
        // then would drop its tenants from the catalog until it arrived. An API server the
        // pod cannot read for a minute fails the start, naming the ConfigMap and the status.
        const t0 = Date.now();
        await Promise.all(followers.map(f => retryUntil(60_000, () => f.load())));
        logger.info(`Live catalog: read ${followers.length} ConfigMap(s) of namespace ${namespace} in ${Date.now() - t0} ms`);
        changedSince.clear();

        lifecycle.addStartupHook(() => {
          started = true;
          for (const f of followers) {
            f.run();
          }
          logger.info(`Live catalog: watching ${followers.length} ConfigMap(s) for ${refs.length} location(s)`);
        });
        lifecycle.addShutdownHook(() => {
          clearTimeout(pending);
          for (const f of followers) {
            f.stopped = true;
          }
          access.agent.destroy();
        });
      },
    });
  },
});

module.exports = { liveCatalogModule, liveLocationRefs, liveConfigMaps, Follower };
