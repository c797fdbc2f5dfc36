// Package github is the GitHubIntegration component: the developer portal's GitHub side. It
// manages the portal's repository (settings, default-branch ruleset, CODEOWNERS, Dependabot)
// when repository.manage is true, commits the environment's generated files (app-config and
// catalog-info, from the same Go values the portal deploys), keeps the environment's Actions
// variables in a GitHub deployment environment, and federates the repository's GitHub Actions
// into GCP or AWS by OIDC (a deploy and a preview identity, each trusting one environment).
// Contribution returns the portal's GitHub configuration: the App integration, catalog
// discovery, the organisation sync and sign-in, with every credential as a secret environment
// variable.
//
// Pass a GitHub provider whose owner is the organisation and, with OIDC, the platform
// account's gcp or aws provider: pulumi.Providers(githubProvider, cloudProvider).
//
// Operators' documentation (one place each):
//   - the GitHub App, its permissions and secrets: docs/operators/setup.md ("The GitHub App");
//   - several stacks sharing one repository, CI identities: docs/operators/setup.md ("One
//     repository, several stacks");
//   - committing to a protected branch, why a GitHub App and OIDC:
//     docs/operators/design-decisions.md.
package github
