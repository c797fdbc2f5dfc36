// Core Platform branding and sign-in: the theme (brand/theme.tsx), the sidebar with the logo
// (brand/Sidebar.tsx, brand/logo.svg) and the only sign-in method, GitHub (no guest access in
// any environment).
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { githubAuthApiRef } from '@backstage/core-plugin-api';
import { SignInPage } from '@backstage/core-components';
import {
  SignInPageBlueprint,
  ThemeBlueprint,
} from '@backstage/plugin-app-react';
import { coreLightTheme } from './theme';
import { sidebar } from './Sidebar';
import logo from './logo.svg';

// The sign-in page has no sidebar, so the logo sits in its header, beside the title.
const signInPage = SignInPageBlueprint.make({
  params: {
    loader: async () => props =>
      (
        <>
          <img
            src={logo}
            alt="Core Platform"
            style={{ position: 'absolute', top: 18, right: 32, height: 48, zIndex: 1 }}
          />
          <SignInPage
            {...props}
            title="Core Platform"
            align="center"
            provider={{
              id: 'github-auth-provider',
              title: 'GitHub',
              message: 'Sign in with your CECG GitHub account',
              apiRef: githubAuthApiRef,
            }}
          />
        </>
      ),
  },
});

const lightTheme = ThemeBlueprint.make({
  name: 'core-platform-light',
  params: {
    theme: {
      id: 'core-platform-light',
      title: 'Core Platform',
      variant: 'light',
      Provider: ({ children }) => (
        <coreLightTheme.Provider>{children}</coreLightTheme.Provider>
      ),
    },
  },
});

export const brandModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage, lightTheme, sidebar],
});
