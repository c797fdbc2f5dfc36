package portal

import (
	"errors"

	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Type is the component's Pulumi type.
const Type = "coreplatform:portal:DeveloperPortal"

// DeveloperPortal is Backstage running on the platform cluster.
type DeveloperPortal struct {
	pulumi.ResourceState

	// URL is https://<hostname>.<domain>.
	URL pulumi.StringOutput `pulumi:"url"`
	// Namespace the portal runs in.
	Namespace pulumi.StringOutput `pulumi:"namespace"`
	// ServiceAccountName is the portal's Kubernetes ServiceAccount (bind cloud identities
	// to it: Workload Identity, IRSA).
	ServiceAccountName pulumi.StringOutput `pulumi:"serviceAccountName"`
	// DeploymentName is the Backstage Deployment.
	DeploymentName pulumi.StringOutput `pulumi:"deploymentName"`
	// AppConfigYAML is the deployed app-config (no secrets: only ${ENV} references).
	AppConfigYAML pulumi.StringOutput `pulumi:"appConfigYaml"`
	// ServiceToken is the static token other services present to the backend (secret).
	ServiceToken pulumi.StringOutput `pulumi:"serviceToken"`
}

// built carries what the child builders share.
type built struct {
	ctx       *pulumi.Context
	name      string
	d         *Args
	parent    pulumi.ResourceOption
	namespace pulumi.StringOutput
	labels    pulumi.StringMap
	selector  pulumi.StringMap
}

// NewDeveloperPortal validates the args, then deploys Backstage with its generated
// configuration. Pass a kubernetes and a random provider in opts (pulumi.Providers).
func NewDeveloperPortal(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*DeveloperPortal, error) {
	if args == nil {
		return nil, errors.New("portal: args are required")
	}
	if name == "" {
		return nil, errors.New("portal: name is required")
	}
	var errs validate.Errors
	gen, err := args.resolve()
	errs.Merge("", err)
	errs.Merge("", args.checkWiring())
	if err := errs.Err(); err != nil {
		return nil, err
	}
	if gen.err != nil {
		return nil, gen.err
	}
	d := args.WithDefaults()
	appConfig, files, live := gen.appConfig, gen.files, gen.live

	comp := &DeveloperPortal{}
	if err := ctx.RegisterComponentResource(Type, name, comp, opts...); err != nil {
		return nil, err
	}
	b := &built{
		ctx:      ctx,
		name:     name,
		d:        &d,
		parent:   pulumi.Parent(comp),
		labels:   toStringMap(commonLabels(&d)),
		selector: toStringMap(selectorLabels(&d)),
	}
	if b.namespace, err = b.newNamespace(); err != nil {
		return nil, err
	}

	token, err := serviceToken(ctx, name, args.ServiceToken, b.parent)
	if err != nil {
		return nil, err
	}

	sa, err := b.newServiceAccount(args.ServiceAccountAnnotations)
	if err != nil {
		return nil, err
	}
	if err := b.newClusterRBAC(sa); err != nil {
		return nil, err
	}
	if err := b.newLiveCatalogRBAC(sa, live); err != nil {
		return nil, err
	}
	cfg, err := b.newConfig(appConfig, files, live, token)
	if err != nil {
		return nil, err
	}
	dep, err := b.newDeployment(sa, cfg)
	if err != nil {
		return nil, err
	}
	svc, err := b.newService()
	if err != nil {
		return nil, err
	}
	if err := b.newDisruptionBudget(); err != nil {
		return nil, err
	}
	if err := b.newAutoscaler(dep); err != nil {
		return nil, err
	}
	if err := b.newIngress(svc); err != nil {
		return nil, err
	}
	if err := b.newNetworkPolicy(); err != nil {
		return nil, err
	}
	if err := b.newMonitoring(); err != nil {
		return nil, err
	}

	comp.URL = pulumi.String("https://" + d.Host()).ToStringOutput()
	comp.Namespace = b.namespace
	comp.ServiceAccountName = sa.Metadata.Name().Elem()
	comp.DeploymentName = dep.Metadata.Name().Elem()
	comp.AppConfigYAML = pulumi.String(appConfig).ToStringOutput()
	comp.ServiceToken = token
	if err := ctx.RegisterResourceOutputs(comp, pulumi.Map{
		"url":                comp.URL,
		"namespace":          comp.Namespace,
		"serviceAccountName": comp.ServiceAccountName,
		"deploymentName":     comp.DeploymentName,
		"appConfigYaml":      comp.AppConfigYAML,
		"serviceToken":       comp.ServiceToken,
	}); err != nil {
		return nil, err
	}
	return comp, nil
}

// selectorLabels select the portal's pods; they never change, since a Deployment's selector
// is immutable.
func selectorLabels(d *Args) map[string]string {
	return map[string]string{
		"app.kubernetes.io/name":     "backstage",
		"app.kubernetes.io/instance": d.Name,
	}
}

// commonLabels go on every object, including the kubernetes-id label that lets the portal
// show itself in its own Kubernetes tab.
func commonLabels(d *Args) map[string]string {
	l := selectorLabels(d)
	l["app.kubernetes.io/component"] = "developer-portal"
	l["app.kubernetes.io/part-of"] = "core-platform"
	l["app.kubernetes.io/managed-by"] = "pulumi"
	for k, v := range ServiceLabels(d.Name) {
		l[k] = v
	}
	return l
}

func toStringMap(m map[string]string) pulumi.StringMap {
	out := pulumi.StringMap{}
	for k, v := range m {
		out[k] = pulumi.String(v)
	}
	return out
}

// serviceToken is the static token other services present to the backend: the one given, or a
// generated one (random.RandomPassword, so it is stable across updates and kept secret).
func serviceToken(ctx *pulumi.Context, name string, given pulumi.StringInput, parent pulumi.ResourceOption) (pulumi.StringOutput, error) {
	if given != nil {
		return pulumi.ToSecret(given).(pulumi.StringOutput), nil
	}
	token, err := random.NewRandomPassword(ctx, name+"-service-token", &random.RandomPasswordArgs{
		// Static tokens travel in HTTP headers and ${ENV} substitution: no special characters.
		Length:  pulumi.Int(48),
		Special: pulumi.Bool(false),
	}, parent)
	if err != nil {
		return pulumi.StringOutput{}, err
	}
	return pulumi.ToSecret(token.Result).(pulumi.StringOutput), nil
}
