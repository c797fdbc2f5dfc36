package portal_test

import (
	"fmt"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/portal"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// A program deploying the portal against a database it manages itself, and labelling its own
// workloads so they show in the portal.
func ExampleNewDeveloperPortal() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		k8s, err := kubernetes.NewProvider(ctx, "platform", &kubernetes.ProviderArgs{})
		if err != nil {
			return err
		}
		rnd, err := random.NewProvider(ctx, "random", &random.ProviderArgs{})
		if err != nil {
			return err
		}
		cfg := config(ctx)
		p, err := portal.NewDeveloperPortal(ctx, "portal", &portal.Args{
			Image:      "ghcr.io/coreeng/developer-portal:1.4.2",
			Hostname:   "portal",
			Domain:     "dev.cecg.platform.cecg.io",
			Kubernetes: portal.Kubernetes{ClusterName: "dev"},
			AdminGroup: "platform-team",
			Database: backstage.Postgres{
				Host:     pulumi.String("10.10.0.3"),
				Port:     pulumi.Int(5432),
				Database: pulumi.String("backstage"),
				User:     pulumi.String("backstage"),
				Password: cfg.password,
				CACert:   cfg.caCert,
				Auth:     cloud.AuthPassword,
			},
		}, pulumi.Providers(k8s, rnd))
		if err != nil {
			return err
		}
		ctx.Export("portalUrl", p.URL)

		// Every Deployment, StatefulSet, Service and Ingress this program registers from now
		// on carries backstage.io/kubernetes-id: payments.
		return ctx.RegisterResourceTransform(portal.KubernetesIDTransform("payments"))
	})
}

type dbConfig struct{ password, caCert pulumi.StringInput }

// config reads the database's settings from the stack config; the password is a secret
// (pulumi config set --secret dbPassword ...).
func config(ctx *pulumi.Context) dbConfig {
	password, _ := ctx.GetConfig(ctx.Project() + ":dbPassword")
	caCert, _ := ctx.GetConfig(ctx.Project() + ":dbCACert")
	return dbConfig{
		password: pulumi.ToSecret(pulumi.String(password)).(pulumi.StringOutput),
		caCert:   pulumi.String(caCert),
	}
}

// The labels a service's workloads carry and the annotations of its catalog entity, so the
// portal's Kubernetes tab finds them.
func ExampleServiceAnnotations() {
	fmt.Println(portal.ServiceLabels("payments"))
	fmt.Println(portal.ServiceAnnotations("payments", "payments"))
	// Output:
	// map[backstage.io/kubernetes-id:payments]
	// map[backstage.io/kubernetes-id:payments backstage.io/kubernetes-namespace:payments]
}
