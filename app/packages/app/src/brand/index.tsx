// Core Platform branding and sign-in: the light and dark themes (brand/theme.tsx), the
// sidebar with the logo (brand/Sidebar.tsx, brand/logo.svg), the home page (home/) and the only
// sign-in method, GitHub (no guest access in any environment).
import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { githubAuthApiRef } from '@backstage/core-plugin-api';
import { SignInPage } from '@backstage/core-components';
import {
  SignInPageBlueprint,
  ThemeBlueprint,
} from '@backstage/plugin-app-react';
import DarkIcon from '@material-ui/icons/Brightness2';
import LightIcon from '@material-ui/icons/WbSunny';
import { coreDarkTheme, coreLightTheme } from './theme';
import { homePage } from '../home';
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

// Named like the app's built-in themes ("light", "dark"), these extensions replace them: the
// Core Platform themes are the only ones, and a saved choice of "light" or "dark" keeps
// working.
const lightTheme = ThemeBlueprint.make({
  name: 'light',
  params: {
    theme: {
      id: 'light',
      title: 'Core Platform light',
      variant: 'light',
      icon: <LightIcon />,
      Provider: coreLightTheme.Provider,
    },
  },
});

const darkTheme = ThemeBlueprint.make({
  name: 'dark',
  params: {
    theme: {
      id: 'dark',
      title: 'Core Platform dark',
      variant: 'dark',
      icon: <DarkIcon />,
      Provider: coreDarkTheme.Provider,
    },
  },
});

export const brandModule = createFrontendModule({
  pluginId: 'app',
  extensions: [signInPage, lightTheme, darkTheme, sidebar, homePage],
});
