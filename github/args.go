package github

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Args configures a GitHubIntegration. Plain fields are the stack's `developer-portal:github`
// config section (their json names are the config keys); the credentials are secret Inputs set
// by the program. Zero values take the defaults documented on each field.
type Args struct {
	// Organization is the GitHub organisation that owns the portal's repository, installs the
	// App, and whose members and teams become the portal's users and groups. Required.
	Organization string `json:"organization,omitempty"`
	// Repository describes the portal's own repository.
	Repository RepositoryArgs `json:"repository,omitempty"`
	// Protection is the ruleset on the repository's default branch.
	Protection ProtectionArgs `json:"protection,omitempty"`
	// CodeOwners own every path of the repository (written to .github/CODEOWNERS), e.g.
	// ["@cecg/platform-team"]. Required when the repository is managed.
	CodeOwners []string `json:"codeOwners,omitempty"`
	// App holds the non-secret identifiers of the Backstage GitHub App.
	App AppArgs `json:"app,omitempty"`
	// Discovery finds catalog-info.yaml files across the organisation's repositories.
	Discovery DiscoveryArgs `json:"discovery,omitempty"`
	// OrgSync imports the organisation's members and teams as User and Group entities.
	OrgSync OrgSyncArgs `json:"orgSync,omitempty"`
	// SignIn lets people sign in to the portal with their GitHub account.
	SignIn SignInArgs `json:"signIn,omitempty"`
	// OIDC federates the repository's GitHub Actions into the platform's cloud account.
	OIDC OIDCArgs `json:"oidc,omitempty"`
	// Files controls how the managed files are committed.
	Files FilesArgs `json:"files,omitempty"`
	// DependencyUpdates configures the Dependabot file kept in the repository.
	DependencyUpdates DependencyUpdatesArgs `json:"dependencyUpdates,omitempty"`

	// AppConfigYAML is the secret-free app-config the portal deploys, rendered by the program
	// from the same composed document as the portal's ConfigMap. It is committed as
	// <files.directory>/app-config.production.yaml. Required when files.manage is true.
	AppConfigYAML string `json:"-"`
	// CatalogInfoYAML is the portal's own catalog entities (with its Kubernetes and TechDocs
	// annotations), committed as <files.directory>/catalog-info.yaml. Required when
	// files.manage is true.
	CatalogInfoYAML string `json:"-"`

	// Environment is the stack's environment name (e.g. "dev"): the GitHub deployment
	// environment that holds this stack's Actions variables. Required when any variable is
	// written (oidc.cloud set or Variables not empty).
	Environment string `json:"-"`
	// Variables are extra plain Actions variables of the environment (e.g.
	// PULUMI_BACKEND_URL, GKE_CLUSTER_NAME, GKE_CLUSTER_LOCATION for the preview workflow; the
	// stack adds CLOUD, TECHDOCS_BUCKET and AWS_REGION): identifiers only, never credentials.
	// Names match ^[A-Z_][A-Z0-9_]*$, do not start with GITHUB_ and do not repeat a name the
	// OIDC federation writes.
	Variables map[string]string `json:"variables,omitempty"`
	// PreviewEnvironment also creates "<environment>-preview" with the same variables but open
	// to pull-request workflows: GitHub admits no pull-request job into an environment limited
	// to protected branches, and `pulumi preview` on pull requests needs the identifiers.
	// Default true; false keeps the identifiers to protected branches only.
	PreviewEnvironment *bool `json:"previewEnvironment,omitempty"`
	// EnvironmentReviewers must approve every workflow job that deploys to the environment
	// (GitHub's required reviewers: one approval suffices, never from the person who started
	// the run), so that a merge reaches e.g. prod only after that approval. Numeric IDs:
	// `gh api orgs/<org>/teams/<slug> --jq .id`, `gh api users/<login> --jq .id`. Default none.
	EnvironmentReviewers *EnvironmentReviewers `json:"environmentReviewers,omitempty"`

	// AppPrivateKey is the App's PEM private key (see SecretPrivateKey). Setting it selects
	// App credentials.
	AppPrivateKey pulumi.StringInput `json:"-"`
	// AppClientSecret is the App's OAuth client secret; it also serves GitHub sign-in.
	AppClientSecret pulumi.StringInput `json:"-"`
	// AppWebhookSecret verifies webhook deliveries from the App. Optional.
	AppWebhookSecret pulumi.StringInput `json:"-"`
	// Token is a personal access token used instead of an App: for trials only. Setting it
	// selects token credentials; setting it together with App credentials is an error.
	Token pulumi.StringInput `json:"-"`
}

// RepositoryArgs describes the portal's repository.
type RepositoryArgs struct {
	// Name of the repository. Default "developer-portal".
	Name string `json:"name,omitempty"`
	// Template creates the repository from a template repository, "owner/repo". Only used
	// at creation.
	Template string `json:"template,omitempty"`
	// Description of the repository.
	Description string `json:"description,omitempty"`
	// Manage creates and governs the repository and what is repository-wide: its settings,
	// the default branch ruleset, .github/CODEOWNERS and .github/dependabot.yml. Default true.
	// When several stacks (dev, prod, ...) share the repository exactly one manages it; the
	// others set false and still write their own files (files.manage) and environment.
	Manage *bool `json:"manage,omitempty"`
	// Protect guards the repository against deletion by Pulumi. Default true; the repository
	// is also archived rather than deleted if it is ever destroyed.
	Protect *bool `json:"protect,omitempty"`
	// SecretScanning enables secret scanning and push protection. Default unset: the
	// organisation's code security configuration decides, because private repositories need
	// a GitHub Secret Protection (Advanced Security) licence and GitHub rejects the setting
	// without it.
	SecretScanning *bool `json:"secretScanning,omitempty"`
}

// ProtectionArgs is the ruleset on the default branch. It applies to administrators too: only
// the listed bypass actors may bypass it.
type ProtectionArgs struct {
	// RequiredApprovals is the number of approving reviews a pull request needs (1-10).
	// Default 1.
	RequiredApprovals int `json:"requiredApprovals,omitempty"`
	// RequiredStatusChecks are the check names that must pass, on an up-to-date branch.
	// Default ["test"].
	RequiredStatusChecks []string `json:"requiredStatusChecks,omitempty"`
	// BypassActors may bypass the ruleset. The identity that runs `pulumi up` must be one of
	// them (mode "always") when files are committed to the default branch.
	BypassActors []BypassActor `json:"bypassActors,omitempty"`
}

// BypassActor is an actor allowed to bypass the default branch ruleset.
type BypassActor struct {
	// ActorType is Integration (a GitHub App, ActorID = App ID), Team, RepositoryRole,
	// OrganizationAdmin or DeployKey. Default "Integration".
	ActorType string `json:"actorType,omitempty"`
	// ActorID identifies the App, team or role; not used for OrganizationAdmin and DeployKey.
	ActorID int `json:"actorId,omitempty"`
	// BypassMode is "always", "pull_request" or "exempt". Default "always".
	BypassMode string `json:"bypassMode,omitempty"`
}

// AppArgs are the non-secret identifiers of the GitHub App.
type AppArgs struct {
	// AppID is the App's numeric ID.
	AppID string `json:"appId,omitempty"`
	// ClientID is the App's client ID (with token credentials: a GitHub OAuth App's client ID,
	// used for sign-in only).
	ClientID string `json:"clientId,omitempty"`
	// AllowedInstallationOwners limits which installations the portal uses. Default
	// [organization].
	AllowedInstallationOwners []string `json:"allowedInstallationOwners,omitempty"`
}

// DiscoveryArgs configures catalog discovery across the organisation.
type DiscoveryArgs struct {
	// CatalogPath is where entity files live in each repository. Default "/catalog-info.yaml".
	CatalogPath string `json:"catalogPath,omitempty"`
	// Branch limits discovery to one branch name. Default: each repository's default branch.
	Branch string `json:"branch,omitempty"`
	// RepositoryPattern is a regular expression repository names must match. Default: all.
	RepositoryPattern string `json:"repositoryPattern,omitempty"`
	// FrequencyMinutes between scans. Default 30.
	FrequencyMinutes int `json:"frequencyMinutes,omitempty"`
	// TimeoutMinutes of one scan. Default 3.
	TimeoutMinutes int `json:"timeoutMinutes,omitempty"`
}

// OrgSyncArgs configures the import of the organisation's users and teams.
type OrgSyncArgs struct {
	// Enabled default true: people and teams come from GitHub, never from the portal alone.
	Enabled *bool `json:"enabled,omitempty"`
	// FrequencyMinutes between syncs. Default 60.
	FrequencyMinutes int `json:"frequencyMinutes,omitempty"`
	// TimeoutMinutes of one sync. Default 15.
	TimeoutMinutes int `json:"timeoutMinutes,omitempty"`
}

// SignInArgs configures GitHub sign-in.
type SignInArgs struct {
	// Enabled default true. Users are matched by GitHub login to the User entities OrgSync
	// imports, so org sync must be on.
	Enabled *bool `json:"enabled,omitempty"`
}

// OIDCArgs federates GitHub Actions of the repository into the cloud, without keys. Trust is
// by deployment environment, one identity per purpose: the deploy identity only for jobs of
// the stack's protected environment (repo:<org>/<repo>:environment:<env>), the preview
// identity only for jobs of "<env>-preview" (and, on GCP, only pull_request, schedule and
// workflow_dispatch events); see GCPAttributeCondition and AWSTrustPolicy.
type OIDCArgs struct {
	// Cloud is "gcp", "aws", or empty for no federation. The stack sets it from its platform.
	Cloud string `json:"cloud,omitempty"`
	// GCP settings (cloud "gcp").
	GCP *OIDCGCPArgs `json:"gcp,omitempty"`
	// AWS settings (cloud "aws").
	AWS *OIDCAWSArgs `json:"aws,omitempty"`
}

// OIDCGCPArgs are the GCP federation settings.
type OIDCGCPArgs struct {
	// Project is the GCP project ID that holds the pool and the CI service account. Required.
	Project string `json:"project,omitempty"`
	// PoolID of the workload identity pool. Default "github-<repository>" (at most 32 chars).
	PoolID string `json:"poolId,omitempty"`
	// ProviderID of the pool provider. Default "github-actions".
	ProviderID string `json:"providerId,omitempty"`
	// ServiceAccountID of the preview service account (jobs of "<env>-preview": pull request
	// previews, drift). Default "<repository>-ci" (at most 30 chars).
	ServiceAccountID string `json:"serviceAccountId,omitempty"`
	// DeployServiceAccountID of the deploy service account (jobs of the protected environment:
	// TechDocs publishing). Default "<repository>-deploy" (at most 30 chars).
	DeployServiceAccountID string `json:"deployServiceAccountId,omitempty"`
}

// EnvironmentReviewers are the required reviewers of the stack's deployment environment.
type EnvironmentReviewers struct {
	// Teams are up to 6 team IDs.
	Teams []int `json:"teams,omitempty"`
	// Users are up to 6 user IDs.
	Users []int `json:"users,omitempty"`
}

// OIDCAWSArgs are the AWS federation settings.
type OIDCAWSArgs struct {
	// RoleName of the preview role (jobs of "<env>-preview"). Default: generated by Pulumi.
	RoleName string `json:"roleName,omitempty"`
	// DeployRoleName of the deploy role (jobs of the protected environment). Default:
	// generated by Pulumi.
	DeployRoleName string `json:"deployRoleName,omitempty"`
	// OIDCProviderARN reuses the account's existing token.actions.githubusercontent.com
	// provider (an account holds only one per URL). Default: the component creates it.
	OIDCProviderARN string `json:"oidcProviderArn,omitempty"`
}

// FilesArgs controls the commits of the managed files.
type FilesArgs struct {
	// Manage writes this environment's files (app-config.production.yaml, catalog-info.yaml)
	// under Directory. Default true, whether or not this stack manages the repository.
	Manage *bool `json:"manage,omitempty"`
	// Directory, relative to the repository root, holds this environment's files, e.g.
	// "environments/dev", so that two environments never write the same path and merging
	// their branches never conflicts. Default "": the repository root.
	Directory string `json:"directory,omitempty"`
	// Branch receives the files instead of the default branch; the team merges them by pull
	// request, and no ruleset bypass is needed. Every stack that writes files creates this
	// branch, so stacks sharing the repository need distinct names (e.g. "pulumi/<env>").
	// Default: the default branch.
	Branch string `json:"branch,omitempty"`
	// CommitAuthor and CommitEmail sign the commits. Default: the deploying identity (a
	// GitHub App's commits are then verified).
	CommitAuthor string `json:"commitAuthor,omitempty"`
	CommitEmail  string `json:"commitEmail,omitempty"`
}

// DependencyUpdatesArgs configures .github/dependabot.yml.
type DependencyUpdatesArgs struct {
	// Interval is "daily", "weekly" or "monthly". Default "weekly".
	Interval string `json:"interval,omitempty"`
	// DockerDirectory holds the Backstage image's Dockerfile. Default "/app".
	DockerDirectory string `json:"dockerDirectory,omitempty"`
	// NPMDirectory holds the app's root package.json and yarn.lock (Yarn workspaces).
	// Default "/app".
	NPMDirectory string `json:"npmDirectory,omitempty"`
	// GoDirectories are the repository's Go modules (the directories holding go.mod; a trailing
	// "/*" covers every module one level below). Default none: a portal repository holds no Go.
	GoDirectories []string `json:"goDirectories,omitempty"`
}
