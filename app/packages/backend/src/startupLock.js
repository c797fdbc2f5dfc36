// One replica starts at a time. Replicas that start together against a database with pending
// migrations each run them: knex does not wait for another process's migration lock
// (MigrationLocked), and a replica that then exits can leave the locks of its own migrations in
// flight set, which no later start clears, so every start fails from then on. A PostgreSQL
// advisory lock, taken on a connection of its own before the plugins start and released once
// they have (their migrations done), queues the other replicas; they find nothing to migrate.
'use strict';

const { ConfigSources } = require('@backstage/config-loader');
const { DatabaseManager } = require('@backstage/backend-defaults/database');

// The lock's key in the database's advisory lock space: "CPst" (Core Platform start).
const STARTUP_LOCK_KEY = 0x43507374;
const LOCK_POLL_MS = 1000;

/** A LoggerService on the console, for the database manager used before the backend runs. */
const consoleLogger = {
  error: message => console.error(message),
  warn: message => console.warn(message),
  info: message => console.log(message),
  debug: () => {},
  child() {
    return consoleLogger;
  },
};

/**
 * Runs start while holding the startup lock; without a PostgreSQL database (a local SQLite
 * development setup), runs it at once.
 * @param {() => Promise<void>} start
 */
async function withStartupLock(start) {
  const config = await ConfigSources.toConfig(ConfigSources.default({}));
  if (config.getOptionalString('backend.database.client') !== 'pg') {
    config.close();
    await start();
    return;
  }
  // The catalog's connection, as the backend makes it (TLS, Cloud SQL connector or RDS IAM
  // token included): advisory locks are per database, and every replica reaches the same one.
  const database = DatabaseManager.fromConfig(config).forPlugin('catalog', {
    logger: consoleLogger,
    lifecycle: { addStartupHook() {}, addShutdownHook() {} },
  });
  const knex = await database.getClient();
  const connection = await knex.client.acquireConnection();
  try {
    const waited = Date.now();
    // Tried, not waited for: a statement blocked on the lock would hold a snapshot open, and a
    // migration of the starting replica that builds an index concurrently waits for every
    // older snapshot to end, so the two replicas would wait for each other forever.
    while (!(await connection.query('SELECT pg_try_advisory_lock($1) AS taken', [STARTUP_LOCK_KEY])).rows[0].taken) {
      if (Date.now() - waited < LOCK_POLL_MS) {
        console.log('Waiting for the startup lock: another replica is starting');
      }
      await new Promise(resolve => setTimeout(resolve, LOCK_POLL_MS));
    }
    console.log(`Startup lock taken after ${Date.now() - waited} ms: no other replica is starting`);
    await start();
  } finally {
    // Ending the session releases the lock too, if the unlock cannot be sent.
    await connection.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK_KEY]).catch(() => {});
    await knex.client.releaseConnection(connection);
    await knex.destroy();
    config.close();
  }
}

module.exports = { withStartupLock, STARTUP_LOCK_KEY };
