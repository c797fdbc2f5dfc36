// The portal's home page at "/", where the sidebar's logo leads.
import { PageBlueprint } from '@backstage/frontend-plugin-api';

export const homePage = PageBlueprint.make({
  name: 'home',
  params: {
    path: '/',
    loader: () => import('./HomePage').then(m => <m.HomePage />),
  },
});
