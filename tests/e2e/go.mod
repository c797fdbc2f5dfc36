module github.com/coreeng/developer-portal/tests/e2e

go 1.26.6

require (
	github.com/coreeng/developer-portal v0.0.0
	github.com/pulumi/pulumi/sdk/v3 v3.274.1
	gopkg.in/yaml.v3 v3.0.1
)

replace github.com/coreeng/developer-portal => ../..
