package offline

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// defaultOutputs gives the provider-computed outputs the product reads, with recognisable fake
// values, so components can be tested without each test wiring them.
func defaultOutputs() map[string]OutputsFunc {
	return map[string]OutputsFunc{
		"random:index/randomPassword:RandomPassword": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"result": resource.MakeSecret(resource.NewStringProperty(FakePassword(args.Name)))}
		},
		"gcp:sql/databaseInstance:DatabaseInstance": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{
				"connectionName":   resource.NewStringProperty("test-project:europe-west2:" + args.Name),
				"privateIpAddress": resource.NewStringProperty("10.10.0.3"),
				"name":             resource.NewStringProperty(args.Name),
				"serverCaCerts": resource.NewArrayProperty([]resource.PropertyValue{
					resource.NewObjectProperty(resource.PropertyMap{"cert": resource.NewStringProperty(FakeCACert)}),
				}),
			}
		},
		"aws:rds/instance:Instance": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			out := resource.PropertyMap{
				"address":    resource.NewStringProperty(args.Name + ".abc123.eu-west-2.rds.amazonaws.com"),
				"endpoint":   resource.NewStringProperty(args.Name + ".abc123.eu-west-2.rds.amazonaws.com:5432"),
				"port":       resource.NewNumberProperty(5432),
				"resourceId": resource.NewStringProperty("db-ABCDEFGHIJKL"),
				"arn":        resource.NewStringProperty("arn:aws:rds:eu-west-2:111111111111:db:" + args.Name),
			}
			// RDS reports the Secrets Manager secret of the master password it manages.
			if v, ok := args.Inputs["manageMasterUserPassword"]; ok && v.IsBool() && v.BoolValue() {
				out["masterUserSecrets"] = resource.NewArrayProperty([]resource.PropertyValue{
					resource.NewObjectProperty(resource.PropertyMap{
						"secretArn": resource.NewStringProperty("arn:aws:secretsmanager:eu-west-2:111111111111:secret:rds!db-1"),
					}),
				})
			}
			return out
		},
		"gcp:serviceaccount/account:Account": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			id := args.Inputs["accountId"].StringValue()
			return resource.PropertyMap{
				"email":  resource.NewStringProperty(id + "@test-project.iam.gserviceaccount.com"),
				"member": resource.NewStringProperty("serviceAccount:" + id + "@test-project.iam.gserviceaccount.com"),
				"name":   resource.NewStringProperty("projects/test-project/serviceAccounts/" + id),
			}
		},
		"aws:iam/role:Role": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"arn": resource.NewStringProperty("arn:aws:iam::111111111111:role/" + args.Name)}
		},
		"gcp:iam/workloadIdentityPool:WorkloadIdentityPool": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"name": resource.NewStringProperty("projects/123456789/locations/global/workloadIdentityPools/" + args.Name)}
		},
		"gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"name": resource.NewStringProperty("projects/123456789/locations/global/workloadIdentityPools/pool/providers/" + args.Name)}
		},
		"aws:iam/openIdConnectProvider:OpenIdConnectProvider": func(_ pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{"arn": resource.NewStringProperty("arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com")}
		},
		"aws:s3/bucketV2:BucketV2": func(args pulumi.MockResourceArgs) resource.PropertyMap {
			return resource.PropertyMap{
				"bucket": resource.NewStringProperty(args.Name),
				"arn":    resource.NewStringProperty("arn:aws:s3:::" + args.Name),
			}
		},
	}
}

// FakePassword is the value the mock gives a RandomPassword: tests look for it where it must
// not appear.
func FakePassword(name string) string { return "mock-secret-" + name + "-Zq9x" }

// FakeCACert is the CA certificate mock databases report.
const FakeCACert = "-----BEGIN CERTIFICATE-----\nMIIBmockCA\n-----END CERTIFICATE-----\n"
