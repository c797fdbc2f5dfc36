package database

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
)

// Resource types the component registers.
const (
	tInstance     = "gcp:sql/databaseInstance:DatabaseInstance"
	tDatabase     = "gcp:sql/database:Database"
	tUser         = "gcp:sql/user:User"
	tIAMMember    = "gcp:projects/iAMMember:IAMMember"
	tRDS          = "aws:rds/instance:Instance"
	tSubnetGroup  = "aws:rds/subnetGroup:SubnetGroup"
	tParamGroup   = "aws:rds/parameterGroup:ParameterGroup"
	tRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	tPassword     = "random:index/randomPassword:RandomPassword"
	tRandomID     = "random:index/randomId:RandomId"
	fakeHex       = "a1b2c3d4"
	testCABundle  = "-----BEGIN CERTIFICATE-----\nMIIBrdsCA\n-----END CERTIFICATE-----\n"
	portalSAEmail = "portal@tenant-a-prod.iam.gserviceaccount.com"
	portalRole    = "portal-irsa"
)

// newMocks fakes the provider-computed names the default mocks do not cover.
func newMocks() *testkit.Mocks {
	named := func(args pulumi.MockResourceArgs) resource.PropertyMap {
		return resource.PropertyMap{"name": resource.NewStringProperty(args.Name + "-generated")}
	}
	return testkit.NewMocks().
		WithOutputs(tSubnetGroup, named).
		WithOutputs(tParamGroup, named).
		WithOutputs(tRandomID, func(pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"hex": resource.NewStringProperty(fakeHex)}
		}).
		AddOutputs(tRDS, func(args pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"identifier": resource.NewStringProperty(args.Name + "-1234567")}
		})
}

// deployment is a program run: its recorder, the component and its resolved outputs.
type deployment struct {
	m    *testkit.Mocks
	comp *ManagedDatabase
	outs map[string]testkit.Awaited
	err  error
}

// deploy runs NewManagedDatabase with explicit providers named after the placement
// ("platform" or "paired") and resolves every output, including the Connection's.
func deploy(t *testing.T, name, placement string, args func() *Args) deployment {
	t.Helper()
	dep := deployment{m: newMocks(), outs: map[string]testkit.Awaited{}}
	dep.err = testkit.Run(func(ctx *pulumi.Context) error {
		a := args()
		var cloudProv pulumi.ProviderResource
		var err error
		if a != nil && a.Cloud == cloud.AWS {
			cloudProv, err = aws.NewProvider(ctx, placement+"-aws", &aws.ProviderArgs{Region: pulumi.String("eu-west-2")})
		} else {
			cloudProv, err = gcp.NewProvider(ctx, placement+"-gcp", &gcp.ProviderArgs{Project: pulumi.String("tenant-a-prod")})
		}
		if err != nil {
			return err
		}
		randProv, err := random.NewProvider(ctx, "random", nil)
		if err != nil {
			return err
		}
		comp, err := NewManagedDatabase(ctx, name, a, pulumi.Providers(cloudProv, randProv))
		if err != nil {
			return err
		}
		dep.comp = comp
		outs := map[string]pulumi.Output{
			"host": comp.Host, "port": comp.Port, "databaseName": comp.DatabaseName, "user": comp.User,
			"password": comp.Password, "caCert": comp.CACert, "connectionName": comp.ConnectionName,
			"endpoint": comp.Endpoint, "instanceName": comp.InstanceName, "iamPrincipal": comp.IAMPrincipal,
			"bootstrapSql": comp.BootstrapSQL,
			"conn.host":    comp.Connection.Host.ToStringOutput(), "conn.user": comp.Connection.User.ToStringOutput(),
			"conn.caCert": comp.Connection.CACert.ToStringOutput(), "conn.database": comp.Connection.Database.ToStringOutput(),
		}
		if comp.Connection.Password != nil {
			outs["conn.password"] = comp.Connection.Password.ToStringOutput()
		}
		if comp.Connection.CloudSQLInstance != nil {
			outs["conn.cloudSqlInstance"] = comp.Connection.CloudSQLInstance.ToStringOutput()
		}
		for k, o := range outs {
			a, err := testkit.Await(ctx, o)
			if err != nil {
				return fmt.Errorf("output %s: %w", k, err)
			}
			dep.outs[k] = a
		}
		return nil
	}, dep.m, nil)
	return dep
}

// componentResources are the registrations other than providers.
func componentResources(m *testkit.Mocks) []testkit.Resource {
	var out []testkit.Resource
	for _, r := range m.Resources() {
		if !strings.HasPrefix(r.Type, "pulumi:providers:") {
			out = append(out, r)
		}
	}
	return out
}

func wantString(t *testing.T, r testkit.Resource, path, want string) {
	t.Helper()
	if got := r.String(path); got != want {
		t.Errorf("%s %s = %q, want %q", r.Name, path, got, want)
	}
}

func wantBool(t *testing.T, r testkit.Resource, path string, want bool) {
	t.Helper()
	v, ok := r.Input(path)
	if !ok || !v.IsBool() || v.BoolValue() != want {
		t.Errorf("%s %s = %v (present %v), want %v", r.Name, path, v, ok, want)
	}
}

func wantNumber(t *testing.T, r testkit.Resource, path string, want float64) {
	t.Helper()
	v, ok := r.Input(path)
	if !ok || !v.IsNumber() || v.NumberValue() != want {
		t.Errorf("%s %s = %v (present %v), want %v", r.Name, path, v, ok, want)
	}
}

func wantAbsent(t *testing.T, r testkit.Resource, path string) {
	t.Helper()
	if v, ok := r.Input(path); ok && !v.IsNull() {
		t.Errorf("%s %s = %v, want it unset", r.Name, path, v)
	}
}

func wantOut(t *testing.T, outs map[string]testkit.Awaited, key, want string) {
	t.Helper()
	if got, _ := outs[key].Value.(string); got != want {
		t.Errorf("output %s = %q, want %q", key, got, want)
	}
}
