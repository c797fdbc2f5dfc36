// The portal's permission policy. Backstage refuses unauthenticated calls itself; this
// policy decides for signed-in users:
//   - every member of the GitHub organisation reads the catalog, docs and Kubernetes views
//     and runs templates ("Request a tenancy");
//   - unregistering and deleting entities, template management (the scaffolder's template
//     editor and dry-run), catalog ingestion management and the Kubernetes API proxy are reserved to the platform admins
//     group, named by corePlatform.adminGroup in the generated app-config (the Pulumi
//     program's portal.adminGroup: one source of truth).
'use strict';

const { coreServices, createBackendModule } = require('@backstage/backend-plugin-api');
const { AuthorizeResult } = require('@backstage/plugin-permission-common');
const { policyExtensionPoint } = require('@backstage/plugin-permission-node/alpha');

/**
 * The permissions only the admin group gets, by name (names are stable API; importing every
 * plugin's permission objects would load those plugins into the policy).
 * @type {ReadonlySet<string>}
 */
const ADMIN_ONLY = new Set([
  'catalog.entity.delete',
  'catalog.location.delete',
  'catalog.ingestion.manage',
  'scaffolder.template.management',
  'scaffolder.template.dry-run',
  'kubernetes.proxy',
]);

/**
 * @param {string} adminGroup entity reference of the admin group, e.g. group:default/platform-team
 * @returns {import('@backstage/plugin-permission-node').PermissionPolicy}
 */
function corePlatformPolicy(adminGroup) {
  return {
    async handle(request, user) {
      // Only users reach the policy (service credentials are checked against their
      // backend.auth.externalAccess restrictions by the framework); no user, no access.
      if (!user) {
        return { result: AuthorizeResult.DENY };
      }
      if (!ADMIN_ONLY.has(request.permission.name)) {
        return { result: AuthorizeResult.ALLOW };
      }
      const refs = user.info.ownershipEntityRefs ?? [];
      return { result: refs.includes(adminGroup) ? AuthorizeResult.ALLOW : AuthorizeResult.DENY };
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

module.exports = { permissionPolicyModule, corePlatformPolicy, ADMIN_ONLY };
