// The portal's sidebar: the Core Platform logo (brand/logo.svg) and Home, then the plugins'
// pages, with the settings (theme, sign-out) at the bottom.
import {
  Link,
  Sidebar,
  SidebarDivider,
  SidebarItem,
  SidebarSpace,
  sidebarConfig,
} from '@backstage/core-components';
import { NavContentBlueprint } from '@backstage/plugin-app-react';
import HomeIcon from '@material-ui/icons/Home';
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
      // Taken first, so that the rest of the pages does not list it again.
      const settings = nav.take('page:user-settings');
      return (
        <Sidebar>
          <Logo />
          <SidebarDivider />
          <SidebarItem icon={HomeIcon} to="/" text="Home" />
          {nav.take('page:catalog')}
          {nav.take('page:scaffolder')}
          {nav.take('page:techdocs')}
          {nav.take('page:search')}
          {nav.rest({ sortBy: 'title' })}
          <SidebarSpace />
          <SidebarDivider />
          {settings}
        </Sidebar>
      );
    },
  },
});
