// The portal's permission policy: least privilege for signed-in users. Backstage refuses
// unauthenticated calls itself, and service principals (the static service token) never reach
// a policy: they are held to their backend.auth.externalAccess accessRestrictions, which the
// Pulumi program generates. For users:
//   - the platform admins group (corePlatform.adminGroup in the generated app-config, the
//     Pulumi program's portal.adminGroup: one source of truth) may do everything;
//   - every other member of the GitHub organisation gets MEMBER_ALLOWED (read the catalog,
//     docs and Kubernetes views, run templates), and OWNER_ONLY on what they own (refresh
//     the entities their teams own, read and cancel their own template runs);
//   - anything else is refused, including every permission a plugin adds later: registering
//     locations, creating, deleting and unregistering entities, template management and
//     dry-run, catalog ingestion management and the Kubernetes API proxy.
'use strict';

const { coreServices, createBackendModule } = require('@backstage/backend-plugin-api');
const { AuthorizeResult } = require('@backstage/plugin-permission-common');
const { policyExtensionPoint } = require('@backstage/plugin-permission-node/alpha');

/**
 * What every signed-in member may do, by permission name (names are stable API; importing
 * every plugin's permission objects would load those plugins into the policy).
 * @type {ReadonlySet<string>}
 */
const MEMBER_ALLOWED = new Set([
  'catalog.entity.read',
  'catalog.location.read',
  'kubernetes.clusters.read',
  'kubernetes.resources.read',
  'scaffolder.task.create',
  'scaffolder.action.execute',
  'scaffolder.template.parameter.read',
  'scaffolder.template.step.read',
]);

/**
 * What a member may do to what they own: a conditional decision, evaluated by the plugin
 * with its own rule (the names and parameters of the installed plugins' rules:
 * IS_ENTITY_OWNER of @backstage/plugin-catalog-backend, IS_TASK_OWNER of
 * @backstage/plugin-scaffolder-backend).
 * @type {Readonly<Record<string, (user: {userEntityRef: string, ownershipEntityRefs: string[]}) => object>>}
 */
const OWNER_ONLY = {
  // An entity owned by one of the member's teams (or the member).
  'catalog.entity.refresh': user =>
    condition('catalog', 'catalog-entity', 'IS_ENTITY_OWNER', { claims: user.ownershipEntityRefs }),
  // A template run the member started.
  'scaffolder.task.read': user =>
    condition('scaffolder', 'scaffolder-task', 'IS_TASK_OWNER', { createdBy: [user.userEntityRef] }),
  'scaffolder.task.cancel': user =>
    condition('scaffolder', 'scaffolder-task', 'IS_TASK_OWNER', { createdBy: [user.userEntityRef] }),
};

function condition(pluginId, resourceType, rule, params) {
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId,
    resourceType,
    conditions: { rule, resourceType, params },
  };
}

/**
 * @param {string} adminGroup entity reference of the admin group, e.g. group:default/platform-team
 * @returns {import('@backstage/plugin-permission-node').PermissionPolicy}
 */
function corePlatformPolicy(adminGroup) {
  return {
    async handle(request, user) {
      // Only users reach the policy; no user, no access.
      if (!user) {
        return { result: AuthorizeResult.DENY };
      }
      const info = {
        userEntityRef: user.info.userEntityRef,
        ownershipEntityRefs: user.info.ownershipEntityRefs ?? [],
      };
      const name = request.permission.name;
      if (info.ownershipEntityRefs.includes(adminGroup)) {
        return { result: AuthorizeResult.ALLOW };
      }
      if (MEMBER_ALLOWED.has(name)) {
        return { result: AuthorizeResult.ALLOW };
      }
      const owned = Object.hasOwn(OWNER_ONLY, name) ? OWNER_ONLY[name] : undefined;
      // A conditional decision is only valid for the permission's own resource type.
      if (owned && request.permission.type === 'resource') {
        return owned(info);
      }
      return { result: AuthorizeResult.DENY };
    },
  };
}

const permissionPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'core-platform-policy',
  register(reg) {
    reg.registerInit({
      deps: { config: coreServices.rootConfig, logger: coreServices.logger, policy: policyExtensionPoint },
      async init({ config, logger, policy }) {
        // Required: a portal without an admin group would silently have nobody able to clean
        // up the catalog, or (worse, with a typo'd default) the wrong group.
        const adminGroup = config.getString('corePlatform.adminGroup');
        logger.info(`Permission policy: admin-only actions reserved to ${adminGroup}`);
        policy.setPolicy(corePlatformPolicy(adminGroup));
      },
    });
  },
});

module.exports = { permissionPolicyModule, corePlatformPolicy, MEMBER_ALLOWED, OWNER_ONLY };
