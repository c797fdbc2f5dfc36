package database

import (
	"encoding/json"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// RDSParameters are the parameters of the instance's parameter group: TLS enforced
// (CKV2_AWS_69) and the query and connection logging of CKV2_AWS_30 / the CIS benchmark.
func RDSParameters() []Setting {
	return []Setting{
		{"rds.force_ssl", "1"},
		{"log_connections", "1"},
		{"log_disconnections", "1"},
		{"log_lock_waits", "1"},
		{"log_min_error_statement", "error"},
		{"log_temp_files", "0"},
		// DDL only: full statement logging would write the catalog's data into CloudWatch.
		{"log_statement", "ddl"},
		{"log_min_duration_statement", "1000"},
	}
}

// rdsLogExports are the logs RDS ships to CloudWatch (CKV_AWS_129).
var rdsLogExports = []string{"postgresql", "upgrade"}

func newRDS(ctx *pulumi.Context, name string, d *Args, password pulumi.StringOutput, parent pulumi.ResourceOption) (*built, error) {
	w := d.AWS
	protect := *d.Protect
	tags := pulumi.ToStringMap(labels(d))

	subnets, err := rds.NewSubnetGroup(ctx, name+"-subnets", &rds.SubnetGroupArgs{
		Description: pulumi.String("Developer portal database subnets"),
		SubnetIds:   pulumi.ToStringArray(w.SubnetIDs),
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	var params rds.ParameterGroupParameterArray
	for _, p := range RDSParameters() {
		params = append(params, rds.ParameterGroupParameterArgs{Name: pulumi.String(p.Name), Value: pulumi.String(p.Value)})
	}
	// Auto-named, so a major upgrade (a new family) creates the new group before the old one
	// is deleted.
	pg, err := rds.NewParameterGroup(ctx, name+"-params", &rds.ParameterGroupArgs{
		Description: pulumi.String("Developer portal database: TLS enforced, audit logging"),
		Family:      pulumi.String("postgres" + d.EngineVersion),
		Parameters:  params,
		Tags:        tags,
	}, parent)
	if err != nil {
		return nil, err
	}

	// A snapshot name must be unique in the account: a fresh suffix per instance lets a
	// stack be destroyed and recreated without colliding with its earlier final snapshot.
	suffix, err := random.NewRandomId(ctx, name+"-final-snapshot", &random.RandomIdArgs{
		ByteLength: pulumi.Int(4),
	}, parent)
	if err != nil {
		return nil, err
	}

	args := &rds.InstanceArgs{
		Engine: pulumi.String("postgres"),
		// The major version only: RDS applies minor versions itself, and a pinned full version
		// would make the next update plan a downgrade that AWS refuses.
		EngineVersion:            pulumi.String(d.EngineVersion),
		AutoMinorVersionUpgrade:  pulumi.Bool(true),
		AllowMajorVersionUpgrade: pulumi.Bool(true),
		InstanceClass:            pulumi.String(w.InstanceClass),
		AllocatedStorage:         pulumi.Int(w.AllocatedStorage),
		MaxAllocatedStorage:      pulumi.Int(w.MaxAllocatedStorage),
		StorageType:              pulumi.String("gp3"),
		StorageEncrypted:         pulumi.Bool(true),
		DbName:                   pulumi.String(d.DatabaseName),
		Port:                     pulumi.Int(postgresPort),
		DbSubnetGroupName:        subnets.Name,
		VpcSecurityGroupIds:      pulumi.ToStringArray(w.SecurityGroupIDs),
		PubliclyAccessible:       pulumi.Bool(false),
		MultiAz:                  pulumi.Bool(*d.HighAvailability),
		ParameterGroupName:       pg.Name,
		CaCertIdentifier:         pulumi.String(w.CACertIdentifier),
		BackupRetentionPeriod:    pulumi.Int(d.BackupRetentionDays),
		DeletionProtection:       pulumi.Bool(protect),
		SkipFinalSnapshot:        pulumi.Bool(false),
		FinalSnapshotIdentifier:  pulumi.Sprintf("%s-final-%s", name, suffix.Hex),
		DeleteAutomatedBackups:   pulumi.Bool(false),
		CopyTagsToSnapshot:       pulumi.Bool(true),

		IamDatabaseAuthenticationEnabled:   pulumi.Bool(true),
		PerformanceInsightsEnabled:         pulumi.Bool(true),
		PerformanceInsightsRetentionPeriod: pulumi.Int(7),
		EnabledCloudwatchLogsExports:       pulumi.ToStringArray(rdsLogExports),
		Tags:                               tags,
	}
	if w.KMSKeyID != "" {
		args.KmsKeyId = pulumi.String(w.KMSKeyID)
		args.PerformanceInsightsKmsKeyId = pulumi.String(w.KMSKeyID)
	}
	if w.MonitoringRoleARN != "" {
		args.MonitoringInterval = pulumi.Int(enhancedMonitoringSeconds)
		args.MonitoringRoleArn = pulumi.String(w.MonitoringRoleARN)
	}
	iamAuth := d.Auth == cloud.AuthIAM
	if iamAuth {
		// The master user is an administrator's, not the portal's; RDS generates its password
		// and keeps it in Secrets Manager, so no password exists in Pulumi's state or the pod.
		args.Username = pulumi.String(RDSAdminUser)
		args.ManageMasterUserPassword = pulumi.Bool(true)
		if w.KMSKeyID != "" {
			args.MasterUserSecretKmsKeyId = pulumi.String(w.KMSKeyID)
		}
	} else {
		args.Username = pulumi.String(d.User)
		args.Password = password
	}
	inst, err := rds.NewInstance(ctx, name+"-instance", args, append([]pulumi.ResourceOption{parent}, dataOptions(d, true)...)...)
	if err != nil {
		return nil, err
	}
	sql := emptyString()
	if iamAuth {
		if err := grantConnect(ctx, name, d, inst, parent); err != nil {
			return nil, err
		}
		sql = pulumi.String(RDSBootstrapSQL(d.DatabaseName, d.User)).ToStringOutput()
	}

	b := &built{
		host:             inst.Address,
		port:             inst.Port,
		user:             pulumi.String(d.User).ToStringOutput(),
		caCert:           pulumi.String(w.CABundle).ToStringOutput(),
		instanceName:     inst.Identifier,
		connectionName:   emptyString(),
		endpoint:         inst.Endpoint,
		principal:        emptyString(),
		sql:              sql,
		cloudSQLInstance: nil,
	}
	return b, nil
}

// connectPolicy is an IAM policy document, built from Go values and marshalled.
type connectPolicy struct {
	Version   string             `json:"Version"`
	Statement []connectStatement `json:"Statement"`
}

type connectStatement struct {
	Effect   string `json:"Effect"`
	Action   string `json:"Action"`
	Resource string `json:"Resource"`
}

// grantConnect gives the portal's role rds-db:connect on this instance as the portal's user
// only: an inline policy of the role, so it goes with the instance it names.
func grantConnect(ctx *pulumi.Context, name string, d *Args, inst *rds.Instance, parent pulumi.ResourceOption) error {
	policy := pulumi.All(inst.Arn, inst.ResourceId).ApplyT(func(v []any) (string, error) {
		resource, err := RDSConnectResource(v[0].(string), v[1].(string), d.User)
		if err != nil {
			return "", err
		}
		b, err := json.Marshal(connectPolicy{Version: "2012-10-17", Statement: []connectStatement{{
			Effect: "Allow", Action: "rds-db:connect", Resource: resource,
		}}})
		return string(b), err
	}).(pulumi.StringOutput)
	_, err := iam.NewRolePolicy(ctx, name+"-connect", &iam.RolePolicyArgs{
		Role:   d.IAMRoleName,
		Policy: policy,
	}, parent)
	return err
}
