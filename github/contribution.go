package github

import (
	"strings"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Environment variables the contribution puts in the portal's Secret; app-config refers to
// them as ${NAME}.
const (
	EnvAppPrivateKey    = "GITHUB_APP_PRIVATE_KEY"
	EnvAppClientSecret  = "GITHUB_APP_CLIENT_SECRET"
	EnvAppWebhookSecret = "GITHUB_APP_WEBHOOK_SECRET"
	EnvAuthClientSecret = "AUTH_GITHUB_CLIENT_SECRET"
	EnvToken            = "GITHUB_TOKEN"
)

const (
	// ContributionName names the contribution in the portal's composition errors.
	ContributionName = "github"
	githubHost       = "github.com"
	githubURL        = "https://github.com"
	authEnvironment  = "production"
	// signInResolver matches the signed-in GitHub account's immutable ID (its node ID) to the
	// github.com/user-id annotation the organisation sync writes on each User entity. A login
	// can be renamed and then registered by another account; an account's ID cannot, so the
	// login-matching resolver (usernameMatchingUserEntityName, deprecated by the provider)
	// would let the new holder of a login sign in as the catalog user of the old one.
	signInResolver = "userIdMatchingUserEntityAnnotation"
)

// discoveryProvider is one entry of catalog.providers.github
// (@backstage/plugin-catalog-backend-module-github).
type discoveryProvider struct {
	Organization string             `yaml:"organization" json:"organization"`
	CatalogPath  string             `yaml:"catalogPath" json:"catalogPath"`
	Filters      *discoveryFilters  `yaml:"filters,omitempty" json:"filters,omitempty"`
	Schedule     backstage.Schedule `yaml:"schedule" json:"schedule"`
}

type discoveryFilters struct {
	Branch     string `yaml:"branch,omitempty" json:"branch,omitempty"`
	Repository string `yaml:"repository,omitempty" json:"repository,omitempty"`
}

// orgProvider is one entry of catalog.providers.githubOrg
// (@backstage/plugin-catalog-backend-module-github-org).
type orgProvider struct {
	ID        string             `yaml:"id" json:"id"`
	GitHubURL string             `yaml:"githubUrl" json:"githubUrl"`
	Orgs      []string           `yaml:"orgs" json:"orgs"`
	Schedule  backstage.Schedule `yaml:"schedule" json:"schedule"`
}

// authProvider is auth.providers.github.<env> (@backstage/plugin-auth-backend-module-github-provider).
type authProvider struct {
	ClientID     string     `yaml:"clientId" json:"clientId"`
	ClientSecret string     `yaml:"clientSecret" json:"clientSecret"`
	SignIn       authSignIn `yaml:"signIn" json:"signIn"`
}

type authSignIn struct {
	Resolvers []authResolver `yaml:"resolvers" json:"resolvers"`
}

type authResolver struct {
	Resolver string `yaml:"resolver" json:"resolver"`
}

// Contribution is what the integration hands the portal: integrations.github,
// catalog.providers.github (discovery) and githubOrg (users and teams),
// auth.providers.github (sign-in), events.modules.github (the App's signed webhook, when its
// secret is set), and the credentials as SecretEnv. It registers nothing, so
// the program can compose the portal's app-config (and so AppConfigYAML) before creating the
// component. The App's client ID and secret double as the sign-in OAuth credentials: GitHub
// Apps support user-to-server authorisation, so no separate OAuth App is needed.
func Contribution(args *Args) (backstage.Contribution, error) {
	if err := args.validate(); err != nil {
		return backstage.Contribution{}, err
	}
	d := args.WithDefaults()
	c := backstage.Contribution{
		Name:      ContributionName,
		SecretEnv: map[string]pulumi.StringInput{},
	}
	integration := backstage.GitHubIntegration{Host: githubHost}
	// webhook is set when the App's webhook secret is: the App's deliveries then update discovery
	// and the organisation sync as they happen, besides their schedules.
	var webhook *backstage.Events
	if d.appMode() {
		app := backstage.GitHubApp{
			AppID:                     d.App.AppID,
			ClientID:                  d.App.ClientID,
			ClientSecret:              ref(EnvAppClientSecret),
			PrivateKey:                ref(EnvAppPrivateKey),
			AllowedInstallationOwners: d.App.AllowedInstallationOwners,
		}
		c.SecretEnv[EnvAppPrivateKey] = checkedPrivateKey(d.AppPrivateKey)
		c.SecretEnv[EnvAppClientSecret] = secret(d.AppClientSecret)
		if d.AppWebhookSecret != nil {
			app.WebhookSecret = ref(EnvAppWebhookSecret)
			c.SecretEnv[EnvAppWebhookSecret] = secret(d.AppWebhookSecret)
			// The events module verifies deliveries against the App's secret only after asking
			// GitHub which App an installation belongs to; the same secret as the module's own
			// verifies every delivery of the App's webhook without that call.
			webhook = &backstage.Events{Modules: &backstage.EventsModules{GitHub: &backstage.GitHubEvents{
				WebhookSecret: ref(EnvAppWebhookSecret),
			}}}
		}
		integration.Apps = []backstage.GitHubApp{app}
	} else {
		integration.Token = ref(EnvToken)
		c.SecretEnv[EnvToken] = secret(d.Token)
	}

	providers := map[string]any{
		"github": map[string]any{providerID(d.Organization): discoveryProvider{
			Organization: d.Organization,
			CatalogPath:  d.Discovery.CatalogPath,
			Filters:      filters(d.Discovery),
			Schedule:     schedule(d.Discovery.FrequencyMinutes, d.Discovery.TimeoutMinutes),
		}},
	}
	if d.orgSyncEnabled() {
		providers["githubOrg"] = []orgProvider{{
			ID:        providerID(d.Organization),
			GitHubURL: githubURL,
			Orgs:      []string{d.Organization},
			Schedule:  schedule(d.OrgSync.FrequencyMinutes, d.OrgSync.TimeoutMinutes),
		}}
	}
	c.Config = backstage.AppConfig{
		Integrations: &backstage.Integrations{GitHub: []backstage.GitHubIntegration{integration}},
		Catalog:      &backstage.Catalog{Rules: []backstage.CatalogRule{{Allow: DiscoveredKinds()}}, Providers: providers},
		Events:       webhook,
	}
	if d.signInEnabled() {
		c.Config.Auth = &backstage.Auth{
			Environment: authEnvironment,
			Providers: map[string]map[string]any{"github": {authEnvironment: authProvider{
				ClientID:     d.App.ClientID,
				ClientSecret: ref(EnvAuthClientSecret),
				SignIn:       authSignIn{Resolvers: []authResolver{{Resolver: signInResolver}}},
			}}},
		}
		c.SecretEnv[EnvAuthClientSecret] = secret(d.AppClientSecret)
	}
	return c, nil
}

// providerID keys the organisation's providers; entities are tied to it, so it only changes
// with the organisation.
func providerID(org string) string { return strings.ToLower(org) }

func filters(d DiscoveryArgs) *discoveryFilters {
	if d.Branch == "" && d.RepositoryPattern == "" {
		return nil
	}
	return &discoveryFilters{Branch: d.Branch, Repository: d.RepositoryPattern}
}

func schedule(frequency, timeout int) backstage.Schedule {
	return backstage.Schedule{Frequency: minutes(frequency), Timeout: minutes(timeout)}
}

// minutes writes whole hours as hours, which is how people read schedules.
func minutes(m int) backstage.Duration {
	if m%60 == 0 {
		return backstage.Duration{Hours: m / 60}
	}
	return backstage.Duration{Minutes: m}
}

func ref(env string) string { return "${" + env + "}" }

// secret marks a credential secret even if the caller passed a plain Input.
func secret(in pulumi.StringInput) pulumi.StringOutput {
	return pulumi.ToSecret(in.ToStringOutput()).(pulumi.StringOutput)
}
