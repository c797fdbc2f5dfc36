// Backstage's lint configuration for a frontend package, with two settings of this app's own:
// - The app has no Jest tests (the browser test, tests/backstage, drives it), so Jest's version
//   is given instead of detected from an installed jest.
// - The app is a bundle ("bundled": true): its packages are devDependencies, so that the
//   image's production install of the backend (which depends on the app for its dist/) leaves
//   them out. @backstage/no-undeclared-imports would move them to dependencies.
module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  settings: { jest: { version: 29 } },
  rules: { '@backstage/no-undeclared-imports': 'off' },
});
