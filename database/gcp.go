package database

import (
	"strings"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/projects"
	"github.com/pulumi/pulumi-gcp/sdk/v7/go/gcp/sql"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Setting is a database flag or parameter.
type Setting struct{ Name, Value string }

// CloudSQLFlags are the PostgreSQL flags set on Cloud SQL: the audit logging of the CIS
// benchmark (Checkov CKV_GCP_51-57 and 109, Trivy AVD-GCP-0014/16/18/20/21/22/25) and IAM
// database authentication.
func CloudSQLFlags() []Setting {
	return []Setting{
		{"cloudsql.iam_authentication", "on"},
		{"log_checkpoints", "on"},
		{"log_connections", "on"},
		{"log_disconnections", "on"},
		{"log_lock_waits", "on"},
		{"log_min_messages", "warning"},
		{"log_min_error_statement", "error"},
		{"log_temp_files", "0"},
		// -1: statement texts can carry data; slow queries are visible in Query Insights.
		{"log_min_duration_statement", "-1"},
	}
}

// cloudSQLIAMRoles let the portal's service account reach the instance through the Cloud SQL
// connector (client) and log in with an IAM token (instanceUser).
var cloudSQLIAMRoles = []string{"roles/cloudsql.client", "roles/cloudsql.instanceUser"}

func newCloudSQL(ctx *pulumi.Context, name string, d *Args, password pulumi.StringOutput, parent pulumi.ResourceOption) (*built, error) {
	g := d.GCP
	protect := *d.Protect
	availability := "ZONAL"
	if *d.HighAvailability {
		availability = "REGIONAL"
	}
	var flags sql.DatabaseInstanceSettingsDatabaseFlagArray
	for _, f := range CloudSQLFlags() {
		flags = append(flags, sql.DatabaseInstanceSettingsDatabaseFlagArgs{Name: pulumi.String(f.Name), Value: pulumi.String(f.Value)})
	}
	ip := &sql.DatabaseInstanceSettingsIpConfigurationArgs{
		Ipv4Enabled:    pulumi.Bool(false),
		PrivateNetwork: pulumi.String(g.PrivateNetwork),
		// ENCRYPTED_ONLY, knowingly failing Checkov CKV_GCP_6 (which wants
		// TRUSTED_CLIENT_CERTIFICATE_REQUIRED): Backstage's pg connection config cannot carry a
		// client certificate per plugin. TLS is still mandatory and the portal verifies the
		// server against CACert. The deprecated requireSsl stays unset: with ENCRYPTED_ONLY the
		// API rejects requireSsl=true.
		SslMode: pulumi.String("ENCRYPTED_ONLY"),
	}
	if g.AllocatedIPRange != "" {
		ip.AllocatedIpRange = pulumi.String(g.AllocatedIPRange)
	}

	// No name: Pulumi adds a random suffix, because a Cloud SQL name cannot be reused for about
	// a week after deletion. No diskSize: the disk autoresizes, and a stored size would plan a
	// shrink the API refuses (hence ignoreChanges on it as well).
	inst, err := sql.NewDatabaseInstance(ctx, name+"-instance", &sql.DatabaseInstanceArgs{
		Project:            pulumi.String(g.Project),
		Region:             pulumi.String(g.Region),
		DatabaseVersion:    pulumi.String("POSTGRES_" + d.EngineVersion),
		DeletionProtection: pulumi.Bool(protect),
		Settings: &sql.DatabaseInstanceSettingsArgs{
			Tier:                      pulumi.String(g.Tier),
			Edition:                   pulumi.String(g.Edition),
			AvailabilityType:          pulumi.String(availability),
			DiskType:                  pulumi.String(g.DiskType),
			DiskAutoresize:            pulumi.Bool(true),
			DeletionProtectionEnabled: pulumi.Bool(protect),
			IpConfiguration:           ip,
			BackupConfiguration: &sql.DatabaseInstanceSettingsBackupConfigurationArgs{
				Enabled:                     pulumi.Bool(true),
				PointInTimeRecoveryEnabled:  pulumi.Bool(true),
				TransactionLogRetentionDays: pulumi.Int(g.TransactionLogRetentionDays),
				BackupRetentionSettings: &sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs{
					RetainedBackups: pulumi.Int(d.BackupRetentionDays),
					RetentionUnit:   pulumi.String("COUNT"),
				},
			},
			InsightsConfig: &sql.DatabaseInstanceSettingsInsightsConfigArgs{
				QueryInsightsEnabled:  pulumi.Bool(true),
				QueryStringLength:     pulumi.Int(1024),
				RecordApplicationTags: pulumi.Bool(true),
				RecordClientAddress:   pulumi.Bool(false),
			},
			MaintenanceWindow: &sql.DatabaseInstanceSettingsMaintenanceWindowArgs{
				Day:         pulumi.Int(g.MaintenanceWindow.Day),
				Hour:        pulumi.Int(*g.MaintenanceWindow.Hour),
				UpdateTrack: pulumi.String("stable"),
			},
			DatabaseFlags: flags,
			UserLabels:    pulumi.ToStringMap(labels(d)),
		},
	}, append([]pulumi.ResourceOption{parent, pulumi.IgnoreChanges([]string{"settings.diskSize"})}, dataOptions(d, true)...)...)
	if err != nil {
		return nil, err
	}

	// ABANDON: Postgres refuses to drop a database or a role that still owns objects, and the
	// data must only ever go away with the instance.
	db, err := sql.NewDatabase(ctx, name+"-database", &sql.DatabaseArgs{
		Project:        pulumi.String(g.Project),
		Instance:       inst.Name,
		Name:           pulumi.String(d.DatabaseName),
		DeletionPolicy: pulumi.String("ABANDON"),
	}, append([]pulumi.ResourceOption{parent}, dataOptions(d, true)...)...)
	if err != nil {
		return nil, err
	}

	b := &built{
		host:             inst.PrivateIpAddress,
		port:             pulumi.Int(postgresPort).ToIntOutput(),
		caCert:           inst.ServerCaCerts.ApplyT(serverCACerts).(pulumi.StringOutput),
		instanceName:     inst.Name,
		connectionName:   inst.ConnectionName,
		endpoint:         emptyString(),
		cloudSQLInstance: inst.ConnectionName,
	}

	userArgs := &sql.UserArgs{
		Project:        pulumi.String(g.Project),
		Instance:       inst.Name,
		DeletionPolicy: pulumi.String("ABANDON"),
	}
	userOpts := append([]pulumi.ResourceOption{parent, pulumi.DependsOn([]pulumi.Resource{db})}, dataOptions(d, false)...)
	if d.Auth == cloud.AuthPassword {
		userArgs.Name = pulumi.String(d.User)
		userArgs.Type = pulumi.String("BUILT_IN")
		userArgs.Password = password
		if _, err := sql.NewUser(ctx, name+"-user", userArgs, userOpts...); err != nil {
			return nil, err
		}
		b.user = pulumi.String(d.User).ToStringOutput()
		b.principal = emptyString()
		b.sql = emptyString()
		return b, nil
	}

	email := d.IAMServiceAccountEmail.ToStringOutput()
	iamUser := email.ApplyT(CloudSQLIAMUser).(pulumi.StringOutput)
	userArgs.Name = iamUser
	userArgs.Type = pulumi.String("CLOUD_IAM_SERVICE_ACCOUNT")
	if _, err := sql.NewUser(ctx, name+"-user", userArgs, userOpts...); err != nil {
		return nil, err
	}
	condition := inst.Name.ApplyT(func(instance string) string {
		return CloudSQLInstanceCondition(g.Project, instance)
	}).(pulumi.StringOutput)
	for _, role := range cloudSQLIAMRoles {
		if _, err := projects.NewIAMMember(ctx, name+"-"+roleSuffix(role), &projects.IAMMemberArgs{
			Project: pulumi.String(g.Project),
			Role:    pulumi.String(role),
			Member:  pulumi.Sprintf("serviceAccount:%s", email),
			Condition: &projects.IAMMemberConditionArgs{
				Title:       pulumi.String("portal-database-only"),
				Description: pulumi.String("Only the developer portal's Cloud SQL instance"),
				Expression:  condition,
			},
		}, parent); err != nil {
			return nil, err
		}
	}
	b.user = iamUser
	b.principal = email
	b.sql = iamUser.ApplyT(func(u string) string { return CloudSQLBootstrapSQL(d.DatabaseName, u) }).(pulumi.StringOutput)
	return b, nil
}

func serverCACerts(certs []sql.DatabaseInstanceServerCaCert) string {
	var pems []string
	for _, c := range certs {
		if c.Cert != nil {
			pems = append(pems, *c.Cert)
		}
	}
	return JoinPEM(pems)
}

// roleSuffix names a role binding after its role: "roles/cloudsql.client" → "cloudsql-client".
func roleSuffix(role string) string {
	return strings.ReplaceAll(strings.TrimPrefix(role, "roles/"), ".", "-")
}
