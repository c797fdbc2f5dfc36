// The "Tenancy" tab on the catalog's page of every tenant's System.
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isTenancy } from '../lib';

const tenancyContent = EntityContentBlueprint.make({
  name: 'tenancy',
  params: {
    path: '/tenancy',
    title: 'Tenancy',
    filter: isTenancy,
    loader: () => import('./TenancyContent').then(m => <m.TenancyContent />),
  },
});

export const tenancyModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [tenancyContent],
});
