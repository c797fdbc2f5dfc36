// The portal's frontend: catalog (with the organisation's users and teams), Kubernetes tab,
// TechDocs, scaffolder and search, the user settings (theme, sign-out), the home page and the
// tenancy page, behind the GitHub sign-in page, branded Core Platform.
import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import kubernetesPlugin from '@backstage/plugin-kubernetes/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import searchPlugin from '@backstage/plugin-search/alpha';
import techdocsPlugin from '@backstage/plugin-techdocs/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import { brandModule } from './brand';
import { tenancyModule } from './tenancy';

export default createApp({
  features: [
    catalogPlugin,
    orgPlugin,
    kubernetesPlugin,
    techdocsPlugin,
    scaffolderPlugin,
    searchPlugin,
    userSettingsPlugin,
    brandModule,
    tenancyModule,
  ],
});
