// The portal's sidebar: the Core Platform logo (brand/logo.svg), then the plugins' pages.
import {
  Link,
  Sidebar,
  SidebarDivider,
  SidebarItem,
  sidebarConfig,
} from '@backstage/core-components';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import logo from './logo.svg';

const Logo = () => (
  <Link to="/" underline="none" aria-label="Core Platform home">
    <img
      src={logo}
      alt="Core Platform"
      style={{ height: 3 * sidebarConfig.logoHeight, padding: 16 }}
    />
  </Link>
);

export const sidebar = NavContentBlueprint.make({
  params: {
    component: ({ navItems }) => {
      const nav = navItems.withComponent(item => (
        <SidebarItem icon={() => item.icon} to={item.href} text={item.title} />
      ));
      return (
        <Sidebar>
          <Logo />
          <SidebarDivider />
          {nav.take('page:catalog')}
          {nav.take('page:scaffolder')}
          {nav.take('page:techdocs')}
          {nav.take('page:search')}
          {nav.rest({ sortBy: 'title' })}
        </Sidebar>
      );
    },
  },
});
