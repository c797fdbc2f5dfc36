// Package github is the GitHubIntegration component: the developer portal's GitHub side.
//
// It creates, in the organisation:
//
//   - the portal's repository: private, vulnerability alerts on, head branches deleted on merge,
//     archived rather than deleted on destroy, protected from deletion by Pulumi, optionally
//     seeded from a template repository;
//   - a ruleset on its default branch that binds administrators too: pull requests only, with
//     the configured number of approvals, stale approvals dismissed, code-owner review, the
//     last push approved by someone else, resolved conversations, required status checks on an
//     up-to-date branch, no force push, no deletion; only the configured bypass actors escape it;
//   - the instance in version control: app-config.production.yaml and catalog-info.yaml (the
//     secret-free values the portal deploys, rendered by the program from the same Go values),
//     .github/CODEOWNERS and .github/dependabot.yml (Backstage image, the app's npm packages, actions);
//   - OIDC federation for the repository's GitHub Actions, so CI holds no long-lived key, with
//     one identity per purpose: a deploy identity that only jobs of the stack's protected
//     environment may use (subject repo:<org>/<repo>:environment:<env>; TechDocs publishing,
//     the stack grants it the bucket) and a preview identity that only jobs of
//     "<env>-preview" may use (pull request previews and drift; read access comes from the
//     platform's bootstrap). On GCP a workload identity pool and provider whose attribute
//     condition admits only those two subjects of the repository (the preview one only for
//     pull_request, schedule and workflow_dispatch events), and two service accounts each
//     bound to one subject; on AWS the token.actions.githubusercontent.com provider and two roles whose trust
//     policies pin the token subject with StringEquals;
//   - a GitHub deployment environment named after the stack's environment (Args.Environment),
//     holding the federation's identifiers and Args.Variables as Actions variables.
//
// # Several stacks, one repository
//
// The dev and prod stacks of a portal share its repository. What is repository-wide (the
// repository, its ruleset, CODEOWNERS, dependabot.yml) is managed by exactly one stack,
// repository.manage true; the others set it false. What differs per environment is written by
// every stack, whether or not it manages the repository:
//
//   - its files (files.manage, default true) under files.directory, e.g. environments/dev, so
//     two environments never write the same path and merging their branches never conflicts;
//     with files.branch each stack creates its own branch (give each stack a distinct name),
//     started from the repository's default branch (looked up when another stack manages it,
//     so that stack must have run first);
//   - its Actions variables, in its own deployment environment: repository-level variables
//     would be overwritten by whichever stack ran last. Workflows read them with
//     `environment: <env>`. Only protected branches may use the environment, administrators
//     included; pull_request workflows therefore cannot, and get no identifiers from it.
//     Environments in private repositories need GitHub Team or Enterprise.
//
// catalog-info.yaml lives in files.directory too: catalog discovery scans
// /catalog-info.yaml at the root of every repository, while the portal's own entity is
// already in the catalog the program generates, so a second copy found by discovery would
// make Backstage report a conflicting entity (two locations claiming the same entity ref).
// Keep discovery.catalogPath from matching files.directory (no /**/ glob over it).
//
// A job that names an environment receives an OIDC token whose subject is
// repo:<org>/<repo>:environment:<env> rather than its ref: trust is therefore by environment,
// and the environment's deployment-branch policy decides which refs may run there (protected
// branches for <env>, any branch of the repository for <env>-preview). A job that names no
// environment gets no cloud identity.
//
// Contribution returns the Backstage configuration the portal merges: integrations.github (the
// GitHub App), catalog.providers.github (discovery of catalog-info.yaml across the
// organisation), catalog.providers.githubOrg (users and teams synced from the organisation, so
// nobody is managed in the portal alone), auth.providers.github with the
// usernameMatchingUserEntityName resolver, and the credentials as SecretEnv — they reach only
// the portal's Secret, never a file, ConfigMap or output.
//
// # Committing to a protected branch
//
// GitHub applies the ruleset to commits made through the contents API, so the identity that
// runs `pulumi up` (ideally a GitHub App of the deployment pipeline) must be a bypass actor in
// mode "always": protection.bypassActors: [{actorType: Integration, actorId: <its App ID>}].
// Validation requires one in the stack that manages the ruleset; a stack that only writes
// its environment's files to the default branch relies on that stack listing its identity.
// Alternatively files.branch commits the files to a branch the team merges by pull request,
// and nobody bypasses the ruleset.
//
// # The GitHub App
//
// GitHub Apps cannot be created through the API: an organisation owner creates one App for the
// portal (Settings > Developer settings > GitHub Apps > New), installs it on the organisation,
// and gives the stack its App ID and client ID (config) and its private key, client secret and
// webhook secret (secret config). The least permissions:
//
//   - Repository > Metadata: Read-only (always granted);
//   - Repository > Contents: Read-only (catalog discovery and reading catalog files);
//   - Repository > Commit statuses: Read-only (catalog reads, per Backstage's documentation);
//   - Organization > Members: Read-only (org sync of users and teams);
//   - Repository > Contents: Read and write and Repository > Pull requests: Read and write,
//     only if the tenancy-request template opens pull requests from the portal;
//   - no account permissions; webhook inactive unless the portal consumes events (then HTTPS
//     and the webhook secret); installable "Only on this account".
//
// Its callback URL is https://<portal host>/api/auth/github/handler/frame: the App's client ID
// and secret double as the sign-in OAuth credentials, since GitHub Apps support user
// authorisation. allowedInstallationOwners (default: the organisation) stops the portal using
// any other installation.
//
// A personal access token (Args.Token) replaces the App for trials only: it acts as one person,
// does not expire by default and usually reaches far more than the portal needs. The component
// logs a warning when one is used. Sign-in then needs a GitHub OAuth App (app.clientId and
// appClientSecret) or signIn.enabled false.
//
// # Providers
//
// Pass a GitHub provider whose owner is the organisation and, with OIDC, the platform
// account's gcp or aws provider, e.g. pulumi.Providers(githubProvider, gcpProvider). The
// component never creates providers.
package github
