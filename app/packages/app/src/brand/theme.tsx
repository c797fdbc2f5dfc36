// The Core Platform theme: CECG's colours on Backstage's light palette.
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
};

const theme = createUnifiedTheme({
  palette: {
    ...palettes.light,
    primary: { main: colours.navy },
    secondary: { main: colours.teal },
    navigation: {
      ...palettes.light.navigation,
      background: colours.navy,
      indicator: colours.teal,
    },
  },
  defaultPageTheme: 'home',
  pageTheme: {
    home: genPageTheme({ colors: [colours.navy, colours.teal], shape: shapes.wave }),
  },
});

export const coreLightTheme = {
  Provider: ({ children }: { children: ReactNode }) => (
    <UnifiedThemeProvider theme={theme}>{children}</UnifiedThemeProvider>
  ),
};
