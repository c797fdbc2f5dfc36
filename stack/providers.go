package stack

import (
	"reflect"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Providers are the explicit providers every resource of the stack is created with. Default
// providers are disabled in Pulumi.yaml, so nothing can silently use ambient credentials for
// an account it was not meant for.
type Providers struct {
	Kubernetes *kubernetes.Provider
	// Platform is the platform account's provider (gcp or aws).
	Platform pulumi.ProviderResource
	// Database is the provider of the account the database lives in: Platform, or the paired
	// account's provider.
	Database pulumi.ProviderResource
	GitHub   *gh.Provider
	Random   *random.Provider
}

// newProviders builds the providers for a validated configuration.
func newProviders(ctx *pulumi.Context, cfg *Config) (*Providers, error) {
	p := &Providers{}
	var err error
	if p.Kubernetes, err = kubernetesProvider(ctx, cfg); err != nil {
		return nil, err
	}
	labels := map[string]string{"app": "developer-portal", "environment": cfg.Environment, "managed-by": "pulumi"}
	switch cfg.Cloud.Provider {
	case cloud.GCP:
		if p.Platform, err = gcpProvider(ctx, "gcp-platform", cfg.Cloud.GCP.Project, cfg.Cloud.GCP.Region, labels); err != nil {
			return nil, err
		}
		p.Database = p.Platform
		if paired := cfg.Database.pairedGCP(); paired != nil {
			region := paired.Region
			if region == "" {
				region = cfg.Cloud.GCP.Region
			}
			if p.Database, err = gcpProvider(ctx, "gcp-paired", paired.Project, region, labels); err != nil {
				return nil, err
			}
		}
	case cloud.AWS:
		if p.Platform, err = awsProvider(ctx, "aws-platform", cfg.Cloud.AWS.AccountID, cfg.Cloud.AWS.Region, cfg.Cloud.AWS.RoleArn, labels); err != nil {
			return nil, err
		}
		p.Database = p.Platform
		if paired := cfg.Database.pairedAWS(); paired != nil {
			region := paired.Region
			if region == "" {
				region = cfg.Cloud.AWS.Region
			}
			if p.Database, err = awsProvider(ctx, "aws-paired", paired.AccountID, region, paired.RoleArn, labels); err != nil {
				return nil, err
			}
		}
	}
	if cfg.needsGitHubProvider() {
		if p.GitHub, err = githubProvider(ctx, cfg); err != nil {
			return nil, err
		}
	}
	if cfg.needsRandomProvider() {
		if p.Random, err = random.NewProvider(ctx, "random", &random.ProviderArgs{}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// kubernetesProvider is the cluster's provider, the same in the portal's stack and in a tenant
// shard's.
//
// ConfigMaps update in place. By default the provider replaces a ConfigMap whose data
// changes, and a replacement of one with a fixed name is delete-first, which takes the
// Deployment that mounts it down with it: every new tenant (a catalog change) would be an
// outage of the portal. The pod template's checksum/config annotation rolls the pods
// instead, one by one.
func kubernetesProvider(ctx *pulumi.Context, cfg *Config) (*kubernetes.Provider, error) {
	k8s := &kubernetes.ProviderArgs{EnableConfigMapMutable: pulumi.BoolPtr(true)}
	if cfg.Kubernetes.Context != "" {
		k8s.Context = pulumi.StringPtr(cfg.Kubernetes.Context)
	}
	return kubernetes.NewProvider(ctx, "kubernetes", k8s)
}

// githubProvider is the organisation's provider (teams, repository, files).
func githubProvider(ctx *pulumi.Context, cfg *Config) (*gh.Provider, error) {
	return gh.NewProvider(ctx, "github", &gh.ProviderArgs{Owner: pulumi.StringPtr(cfg.GitHub.Organization)})
}

func gcpProvider(ctx *pulumi.Context, name, project, region string, labels map[string]string) (*gcp.Provider, error) {
	return gcp.NewProvider(ctx, name, &gcp.ProviderArgs{
		Project:       pulumi.StringPtr(project),
		Region:        pulumi.StringPtr(region),
		DefaultLabels: pulumi.ToStringMap(labels),
	})
}

// awsProvider pins the account (allowedAccountIds) so credentials for the wrong account fail
// instead of deploying there, and assumes roleArn when given (how a paired account is reached).
func awsProvider(ctx *pulumi.Context, name, accountID, region, roleArn string, tags map[string]string) (*aws.Provider, error) {
	args := &aws.ProviderArgs{
		Region:            pulumi.StringPtr(region),
		AllowedAccountIds: pulumi.ToStringArray([]string{accountID}),
		DefaultTags:       &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(tags)},
	}
	if roleArn != "" {
		args.AssumeRole = &aws.ProviderAssumeRoleArgs{
			RoleArn:     pulumi.StringPtr(roleArn),
			SessionName: pulumi.StringPtr("developer-portal-" + ctx.Stack()),
		}
	}
	return aws.NewProvider(ctx, name, args)
}

// needsGitHubProvider: only a stack that writes to the repository or manages tenant teams
// talks to the GitHub API; one that does neither needs no GitHub credentials (nor the plugin).
func (c *Config) needsGitHubProvider() bool {
	return c.GitHub.NeedsGitHubProvider() || c.Tenants.ManageTeams()
}

// needsRandomProvider: passwords and the service token are generated unless given.
func (c *Config) needsRandomProvider() bool {
	return c.Database.External == nil || !c.Secrets.Has(KeyBackstageServiceToken)
}

// hasCloud: a stack with a cloud account gets the portal's cloud identity, the TechDocs bucket
// and CI federation; one without (provider none) gets none of them.
func (c *Config) hasCloud() bool { return c.Cloud.Provider != cloud.None }

// The providers each component is given: only those it registers resources with, so a
// component never sees credentials for an account it does not use.
func (p *Providers) forGitHub() []pulumi.ProviderResource   { return nonNil(p.GitHub, p.Platform) }
func (p *Providers) forTenants() []pulumi.ProviderResource  { return nonNil(p.Kubernetes, p.GitHub) }
func (p *Providers) forPortal() []pulumi.ProviderResource   { return nonNil(p.Kubernetes, p.Random) }
func (p *Providers) forDatabase() []pulumi.ProviderResource { return nonNil(p.Database, p.Random) }

func nonNil(ps ...pulumi.ProviderResource) []pulumi.ProviderResource {
	var out []pulumi.ProviderResource
	for _, p := range ps {
		if p != nil && !reflect.ValueOf(p).IsNil() {
			out = append(out, p)
		}
	}
	return out
}
