package github_test

import (
	"fmt"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/github"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// A program wires the integration: it checks the App key before anything is registered,
// composes the portal's app-config from the integration's contribution, and hands the same
// rendered document back so the repository keeps exactly what the portal deploys.
func ExampleNewGitHubIntegration() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		pem, _ := ctx.GetConfig("developer-portal:githubAppPrivateKey")
		clientSecret, _ := ctx.GetConfig("developer-portal:githubAppClientSecret")
		key, err := github.SecretPrivateKey(pem)
		if err != nil {
			return err
		}
		args := &github.Args{
			Organization: "CECG",
			CodeOwners:   []string{"@CECG/platform-team"},
			Protection: github.ProtectionArgs{
				// The GitHub App that runs `pulumi up` commits the managed files.
				BypassActors: []github.BypassActor{{ActorType: "Integration", ActorID: 987654}},
			},
			App:  github.AppArgs{AppID: "123456", ClientID: "Iv23liExample"},
			OIDC: github.OIDCArgs{Cloud: cloud.GCP, GCP: &github.OIDCGCPArgs{Project: "platform-prod"}},
			// This environment's files and variables; another stack (e.g. prod) sets
			// Repository.Manage to false and its own directory and environment.
			Files:           github.FilesArgs{Directory: "environments/" + ctx.Stack()},
			Environment:     ctx.Stack(),
			Variables:       map[string]string{"CLOUD": "gcp", "TECHDOCS_BUCKET": "cecg-portal-techdocs-" + ctx.Stack()},
			AppPrivateKey:   key,
			AppClientSecret: pulumi.ToSecret(pulumi.String(clientSecret)).(pulumi.StringOutput),
		}
		contribution, err := github.Contribution(args)
		if err != nil {
			return err
		}
		doc, err := backstage.Compose([]backstage.Part{
			{Name: "branding", Config: backstage.AppConfig{
				App:          &backstage.App{Title: "Core Platform"},
				Organization: &backstage.Organization{Name: "CECG"},
			}},
			{Name: contribution.Name, Config: contribution.Config},
		}, nil)
		if err != nil {
			return err
		}
		appConfig, err := doc.YAML()
		if err != nil {
			return err
		}
		entities, err := backstage.MarshalEntities([]backstage.Entity{{
			APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: backstage.Metadata{Name: "developer-portal", Annotations: map[string]string{
				backstage.AnnotationKubernetesID: "developer-portal",
				backstage.AnnotationTechDocsRef:  "dir:.",
			}},
			Spec: map[string]string{"type": "website", "lifecycle": "production", "owner": "group:default/platform-team"},
		}})
		if err != nil {
			return err
		}
		args.AppConfigYAML, args.CatalogInfoYAML = string(appConfig), string(entities)

		githubProvider, err := gh.NewProvider(ctx, "github", &gh.ProviderArgs{Owner: pulumi.String("CECG")})
		if err != nil {
			return err
		}
		gcpProvider, err := gcp.NewProvider(ctx, "gcp", &gcp.ProviderArgs{Project: pulumi.String("platform-prod")})
		if err != nil {
			return err
		}
		integration, err := github.NewGitHubIntegration(ctx, "portal-github", args,
			pulumi.Providers(githubProvider, gcpProvider))
		if err != nil {
			return err
		}
		// contribution.SecretEnv goes to the portal's Secret; the CI identity gets its grants.
		ctx.Export("portalRepository", integration.RepositoryURL)
		ctx.Export("ciServiceAccount", integration.CIServiceAccountEmail)
		return nil
	})
}

// The CODEOWNERS file the component keeps in the repository: the owners review everything,
// the workflows included.
func ExampleCodeOwners() {
	fmt.Print(github.CodeOwners([]string{"@cecg/platform"}))
	// Output:
	// * @cecg/platform
	// /.github/ @cecg/platform
}
