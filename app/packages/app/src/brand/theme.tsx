// The Core Platform themes: CECG's colours on Backstage's light and dark palettes. They
// replace Backstage's built-in light and dark themes (brand/index.tsx), so they are what
// everyone sees, whichever variant the browser prefers.
import {
  UnifiedThemeProvider,
  createUnifiedTheme,
  palettes,
  genPageTheme,
  shapes,
} from '@backstage/theme';
import { ReactNode } from 'react';

export const colours = {
  navy: '#0b1f3a',
  teal: '#00a19a',
  // On a dark background the navy would vanish: the dark theme's primary is the teal.
  tealLight: '#4fd1c5',
};

const pageTheme = {
  home: genPageTheme({ colors: [colours.navy, colours.teal], shape: shapes.wave }),
};

// One theme per Backstage palette, with the same brand colours on both.
const coreTheme = (base: typeof palettes.light | typeof palettes.dark, primary: string) =>
  createUnifiedTheme({
    palette: {
      ...base,
      primary: { main: primary },
      secondary: { main: colours.teal },
      navigation: {
        ...base.navigation,
        background: colours.navy,
        indicator: colours.teal,
      },
    },
    defaultPageTheme: 'home',
    pageTheme,
  });

const light = coreTheme(palettes.light, colours.navy);
const dark = coreTheme(palettes.dark, colours.tealLight);

const provider = (theme: typeof light) => ({ children }: { children: ReactNode }) => (
  <UnifiedThemeProvider theme={theme}>{children}</UnifiedThemeProvider>
);

export const coreLightTheme = { Provider: provider(light) };
export const coreDarkTheme = { Provider: provider(dark) };
