package database

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
)

type matrixCase struct {
	cloud, placement, auth string
	dev                    bool // HA off, protect off, no optional extras
}

func (c matrixCase) name() string {
	profile := "prod"
	if c.dev {
		profile = "dev"
	}
	return strings.Join([]string{c.cloud, c.placement, c.auth, profile}, "/")
}

// args builds the Args a stack would decode for the case.
func (c matrixCase) args() *Args {
	a := &Args{Cloud: c.cloud, Auth: c.auth}
	if c.dev {
		a.HighAvailability = boolPtr(false)
		a.Protect = boolPtr(false)
	}
	switch c.cloud {
	case cloud.GCP:
		a.GCP = &GCPArgs{
			Project:        "tenant-a-prod",
			Region:         "europe-west2",
			PrivateNetwork: "projects/tenant-a-prod/global/networks/platform",
		}
		if c.dev {
			a.GCP.Tier = "db-g1-small"
		} else {
			a.BackupRetentionDays = 30
			a.GCP.AllocatedIPRange = "google-managed-services-platform"
		}
		if c.auth == cloud.AuthIAM {
			a.IAMServiceAccountEmail = pulumi.String(portalSAEmail)
		}
	case cloud.AWS:
		a.AWS = &AWSArgs{
			SubnetIDs:        []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
			SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
			CABundle:         testCABundle,
		}
		if c.auth == cloud.AuthIAM {
			a.AWS.Region = "eu-west-2"
			a.IAMRoleName = pulumi.String(portalRoleName)
		}
		if !c.dev {
			a.BackupRetentionDays = 14
			a.AWS.KMSKeyID = "arn:aws:kms:eu-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
			a.AWS.MonitoringRoleARN = "arn:aws:iam::111111111111:role/rds-monitoring"
		}
	}
	return a
}

func matrix() []matrixCase {
	var out []matrixCase
	for _, provider := range []string{cloud.GCP, cloud.AWS} {
		for _, placement := range []string{"platform", "paired"} {
			for _, auth := range []string{cloud.AuthPassword, cloud.AuthIAM} {
				if backstage.IAMAuthProblem(provider) != "" && auth == cloud.AuthIAM {
					continue
				}
				for _, dev := range []bool{false, true} {
					out = append(out, matrixCase{provider, placement, auth, dev})
				}
			}
		}
	}
	return out
}

func TestManagedDatabaseMatrix(t *testing.T) {
	for _, tc := range matrix() {
		t.Run(tc.name(), func(t *testing.T) {
			const name = "portal-db"
			dep := deploy(t, name, tc.placement, tc.args)
			if dep.err != nil {
				t.Fatalf("program failed: %v", dep.err)
			}
			m := dep.m

			testkit.AssertNoDuplicateURNs(t, m)
			testkit.AssertExplicitProviders(t, m)
			testkit.AssertParented(t, m, Type)
			assertPlacement(t, m, tc)

			compURN := testkit.URN("", Type, name)
			for _, r := range componentResources(m) {
				if r.Type != Type && r.Parent != compURN {
					t.Errorf("%s %q parent = %s, want the component", r.Type, r.Name, r.Parent)
				}
			}

			assertSecrets(t, dep, tc, name)
			if tc.cloud == cloud.GCP {
				assertCloudSQL(t, dep, tc, name)
			} else {
				assertRDS(t, dep, tc, name)
			}

			c := dep.comp.Connection
			if c.Auth != tc.auth || c.Cloud != tc.cloud || c.PluginDivisionMode != "schema" {
				t.Errorf("connection auth/cloud/mode = %q/%q/%q", c.Auth, c.Cloud, c.PluginDivisionMode)
			}
			wantOut(t, dep.outs, "databaseName", "backstage")
			wantOut(t, dep.outs, "conn.database", "backstage")
			if got := dep.outs["port"].Value; got != 5432 {
				t.Errorf("port = %v, want 5432", got)
			}
			for _, k := range []string{"host", "user", "caCert"} {
				if dep.outs[k].Value != dep.outs["conn."+k].Value {
					t.Errorf("connection %s = %v, output %v", k, dep.outs["conn."+k].Value, dep.outs[k].Value)
				}
			}
		})
	}
}

// assertPlacement checks that every cloud resource uses the placement's provider and every
// random resource the random provider: the account is decided by the provider alone.
func assertPlacement(t *testing.T, m *testkit.Mocks, tc matrixCase) {
	t.Helper()
	cloudProvider := "::" + tc.placement + "-" + tc.cloud + "::"
	for _, r := range componentResources(m) {
		if !r.Custom {
			continue
		}
		want := cloudProvider
		if strings.HasPrefix(r.Type, "random:") {
			want = "::random::"
		}
		if !strings.Contains(r.Provider, want) {
			t.Errorf("%s %q provider = %q, want %q", r.Type, r.Name, r.Provider, want)
		}
	}
}

func assertSecrets(t *testing.T, dep deployment, tc matrixCase, name string) {
	t.Helper()
	pw := dep.outs["password"]
	if !pw.Secret {
		t.Error("password output is not secret")
	}
	if tc.auth == cloud.AuthIAM {
		if n := len(dep.m.ByType(tPassword)); n != 0 {
			t.Errorf("IAM mode registered %d RandomPassword", n)
		}
		if pw.Value != "" {
			t.Errorf("IAM mode password = %v, want empty", pw.Value)
		}
		if dep.comp.Connection.Password != nil {
			t.Error("IAM mode connection carries a password")
		}
		if dep.outs["bootstrapSql"].Secret {
			t.Error("bootstrap SQL is secret; it must be a readable output")
		}
		return
	}
	fake := testkit.FakePassword(name + "-password")
	if pw.Value != fake {
		t.Errorf("password output = %v, want the generated password", pw.Value)
	}
	if cp := dep.outs["conn.password"]; !cp.Secret || cp.Value != fake {
		t.Errorf("connection password = %+v, want the generated password as a secret", cp)
	}
	rp := dep.m.Only(t, tPassword)
	wantNumber(t, rp, "length", passwordLength)
	wantBool(t, rp, "special", false)
	testkit.AssertNoSecretLeak(t, dep.m, fake)
	wantOut(t, dep.outs, "bootstrapSql", "")
}

func assertCloudSQL(t *testing.T, dep deployment, tc matrixCase, name string) {
	t.Helper()
	m := dep.m
	inst := m.MustFind(t, tInstance, name+"-instance")
	prod := !tc.dev

	wantAbsent(t, inst, "name") // auto-named: names cannot be reused for a week
	wantString(t, inst, "project", "tenant-a-prod")
	wantString(t, inst, "region", "europe-west2")
	wantString(t, inst, "databaseVersion", "POSTGRES_16")
	wantBool(t, inst, "deletionProtection", prod)
	wantBool(t, inst, "settings.deletionProtectionEnabled", prod)
	wantBool(t, inst, "settings.ipConfiguration.ipv4Enabled", false)
	wantString(t, inst, "settings.ipConfiguration.privateNetwork", "projects/tenant-a-prod/global/networks/platform")
	wantString(t, inst, "settings.ipConfiguration.sslMode", "ENCRYPTED_ONLY")
	wantAbsent(t, inst, "settings.ipConfiguration.authorizedNetworks")
	wantBool(t, inst, "settings.backupConfiguration.enabled", true)
	wantBool(t, inst, "settings.backupConfiguration.pointInTimeRecoveryEnabled", true)
	wantBool(t, inst, "settings.diskAutoresize", true)
	wantAbsent(t, inst, "settings.diskSize")
	if !slices.Contains(inst.IgnoreChanges, "settings.diskSize") {
		t.Errorf("instance ignoreChanges = %v, want settings.diskSize", inst.IgnoreChanges)
	}
	wantBool(t, inst, "settings.insightsConfig.queryInsightsEnabled", true)
	wantNumber(t, inst, "settings.maintenanceWindow.day", 7)
	wantNumber(t, inst, "settings.maintenanceWindow.hour", 3)
	wantString(t, inst, "settings.edition", "ENTERPRISE")
	wantString(t, inst, "settings.backupConfiguration.backupRetentionSettings.retentionUnit", "COUNT")
	flags := map[string]string{}
	for _, f := range inst.Plain("settings.databaseFlags").([]any) {
		fm := f.(map[string]any)
		flags[fm["name"].(string)] = fm["value"].(string)
	}
	for k, v := range map[string]string{
		"cloudsql.iam_authentication": "on", "log_checkpoints": "on", "log_connections": "on",
		"log_disconnections": "on", "log_lock_waits": "on", "log_min_messages": "warning",
		"log_temp_files": "0", "log_min_duration_statement": "-1",
	} {
		if flags[k] != v {
			t.Errorf("flag %s = %q, want %q", k, flags[k], v)
		}
	}
	if prod {
		wantString(t, inst, "settings.availabilityType", "REGIONAL")
		wantString(t, inst, "settings.tier", DefaultGCPTier)
		wantNumber(t, inst, "settings.backupConfiguration.backupRetentionSettings.retainedBackups", 30)
		wantNumber(t, inst, "settings.backupConfiguration.transactionLogRetentionDays", 7)
		wantString(t, inst, "settings.ipConfiguration.allocatedIpRange", "google-managed-services-platform")
	} else {
		wantString(t, inst, "settings.availabilityType", "ZONAL")
		wantString(t, inst, "settings.tier", "db-g1-small")
		wantNumber(t, inst, "settings.backupConfiguration.backupRetentionSettings.retainedBackups", 7)
		wantAbsent(t, inst, "settings.ipConfiguration.allocatedIpRange")
	}
	if inst.Protect != prod || inst.RetainOnDelete != prod {
		t.Errorf("instance protect/retain = %v/%v, want %v", inst.Protect, inst.RetainOnDelete, prod)
	}

	db := m.Only(t, tDatabase)
	wantString(t, db, "name", "backstage")
	wantString(t, db, "instance", name+"-instance")
	wantString(t, db, "deletionPolicy", "ABANDON")
	user := m.Only(t, tUser)
	wantString(t, user, "instance", name+"-instance")
	wantString(t, user, "deletionPolicy", "ABANDON")
	if db.Protect != prod || db.RetainOnDelete != prod || user.Protect != prod {
		t.Errorf("database protect/retain = %v/%v, user protect = %v, want %v", db.Protect, db.RetainOnDelete, user.Protect, prod)
	}
	if prod {
		testkit.AssertProtected(t, m, tInstance, tDatabase, tUser)
	}

	wantOut(t, dep.outs, "host", "10.10.0.3")
	wantOut(t, dep.outs, "connectionName", "test-project:europe-west2:"+name+"-instance")
	wantOut(t, dep.outs, "conn.cloudSqlInstance", "test-project:europe-west2:"+name+"-instance")
	wantOut(t, dep.outs, "instanceName", name+"-instance")
	wantOut(t, dep.outs, "caCert", testkit.FakeCACert)
	wantOut(t, dep.outs, "endpoint", "")

	if tc.auth == cloud.AuthPassword {
		wantString(t, user, "name", "backstage")
		wantString(t, user, "type", "BUILT_IN")
		if !user.InputIsSecret("password") {
			t.Error("user password input is not secret")
		}
		if n := len(m.ByType(tIAMMember)); n != 0 {
			t.Errorf("password mode granted %d IAM roles", n)
		}
		wantOut(t, dep.outs, "user", "backstage")
		return
	}
	iamUser := "portal@tenant-a-prod.iam"
	wantString(t, user, "name", iamUser)
	wantString(t, user, "type", "CLOUD_IAM_SERVICE_ACCOUNT")
	wantAbsent(t, user, "password")
	var roles []string
	for _, b := range m.ByType(tIAMMember) {
		roles = append(roles, b.String("role"))
		wantString(t, b, "project", "tenant-a-prod")
		wantString(t, b, "member", "serviceAccount:"+portalSAEmail)
		if expr := b.String("condition.expression"); !strings.Contains(expr, `"projects/tenant-a-prod/instances/`+name+`-instance"`) {
			t.Errorf("%s condition = %q, want it limited to the instance", b.Name, expr)
		}
	}
	slices.Sort(roles)
	if !slices.Equal(roles, []string{"roles/cloudsql.client", "roles/cloudsql.instanceUser"}) {
		t.Errorf("IAM roles = %v", roles)
	}
	wantOut(t, dep.outs, "user", iamUser)
	wantOut(t, dep.outs, "iamPrincipal", portalSAEmail)
	wantOut(t, dep.outs, "bootstrapSql", CloudSQLBootstrapSQL("backstage", iamUser))
}

func assertRDS(t *testing.T, dep deployment, tc matrixCase, name string) {
	t.Helper()
	m := dep.m
	prod := !tc.dev
	inst := m.MustFind(t, tRDS, name+"-instance")

	wantString(t, inst, "engine", "postgres")
	wantString(t, inst, "engineVersion", "16")
	wantBool(t, inst, "autoMinorVersionUpgrade", true)
	wantBool(t, inst, "storageEncrypted", true)
	wantBool(t, inst, "publiclyAccessible", false)
	wantBool(t, inst, "multiAz", prod)
	wantBool(t, inst, "deletionProtection", prod)
	wantBool(t, inst, "skipFinalSnapshot", false)
	wantString(t, inst, "finalSnapshotIdentifier", name+"-final-"+fakeHex)
	wantBool(t, inst, "deleteAutomatedBackups", false)
	wantBool(t, inst, "copyTagsToSnapshot", true)
	wantBool(t, inst, "iamDatabaseAuthenticationEnabled", true)
	wantBool(t, inst, "performanceInsightsEnabled", true)
	wantString(t, inst, "caCertIdentifier", "rds-ca-rsa2048-g1")
	wantString(t, inst, "dbName", "backstage")
	wantString(t, inst, "dbSubnetGroupName", name+"-subnets-generated")
	wantString(t, inst, "parameterGroupName", name+"-params-generated")
	wantString(t, inst, "storageType", "gp3")
	wantNumber(t, inst, "allocatedStorage", 20)
	wantNumber(t, inst, "maxAllocatedStorage", 100)
	if got := inst.Plain("vpcSecurityGroupIds"); !slices.Equal(toStrings(got), []string{"sg-0123456789abcdef0"}) {
		t.Errorf("vpcSecurityGroupIds = %v", got)
	}
	if got := inst.Plain("enabledCloudwatchLogsExports"); !slices.Equal(toStrings(got), []string{"postgresql", "upgrade"}) {
		t.Errorf("enabledCloudwatchLogsExports = %v", got)
	}
	if inst.Protect != prod || inst.RetainOnDelete != prod {
		t.Errorf("instance protect/retain = %v/%v, want %v", inst.Protect, inst.RetainOnDelete, prod)
	}
	assertRDSLogin(t, dep, tc, name, inst)
	if prod {
		testkit.AssertProtected(t, m, tRDS)
		kms := "arn:aws:kms:eu-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"
		wantNumber(t, inst, "backupRetentionPeriod", 14)
		wantString(t, inst, "kmsKeyId", kms)
		wantString(t, inst, "performanceInsightsKmsKeyId", kms)
		wantNumber(t, inst, "monitoringInterval", 60)
		wantString(t, inst, "monitoringRoleArn", "arn:aws:iam::111111111111:role/rds-monitoring")
	} else {
		wantNumber(t, inst, "backupRetentionPeriod", 7)
		wantAbsent(t, inst, "kmsKeyId")
		wantAbsent(t, inst, "monitoringInterval")
	}

	sg := m.Only(t, tSubnetGroup)
	if got := sg.Plain("subnetIds"); !slices.Equal(toStrings(got), []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"}) {
		t.Errorf("subnetIds = %v", got)
	}
	pg := m.Only(t, tParamGroup)
	wantString(t, pg, "family", "postgres16")
	params := map[string]string{}
	for _, p := range pg.Plain("parameters").([]any) {
		pm := p.(map[string]any)
		params[pm["name"].(string)] = pm["value"].(string)
	}
	for k, v := range map[string]string{"rds.force_ssl": "1", "log_statement": "ddl", "log_min_duration_statement": "1000", "log_connections": "1"} {
		if params[k] != v {
			t.Errorf("parameter %s = %q, want %q", k, params[k], v)
		}
	}

	wantOut(t, dep.outs, "host", name+"-instance.abc123.eu-west-2.rds.amazonaws.com")
	wantOut(t, dep.outs, "endpoint", name+"-instance.abc123.eu-west-2.rds.amazonaws.com:5432")
	wantOut(t, dep.outs, "instanceName", name+"-instance-1234567")
	wantOut(t, dep.outs, "caCert", testCABundle)
	wantOut(t, dep.outs, "connectionName", "")
	wantOut(t, dep.outs, "user", "backstage")
	if dep.comp.Connection.CloudSQLInstance != nil {
		t.Error("RDS connection has a Cloud SQL instance")
	}

	if tc.auth == cloud.AuthPassword && !inst.InputIsSecret("password") {
		t.Error("RDS password input is not secret")
	}
}

func toStrings(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, e := range l {
			s, _ := e.(string)
			out = append(out, s)
		}
	}
	return out
}

const portalRoleName = "developer-portal-dev"

// assertRDSLogin: with passwords the master user is the portal's, with the generated
// password; with IAM the master user is an administrator's whose password RDS manages, no
// password exists anywhere, and the portal's role may connect as the portal's user to this
// instance only.
func assertRDSLogin(t *testing.T, dep deployment, tc matrixCase, name string, inst testkit.Resource) {
	t.Helper()
	policies := dep.m.ByType(tRolePolicy)
	if tc.auth != cloud.AuthIAM {
		wantString(t, inst, "username", "backstage")
		wantAbsent(t, inst, "manageMasterUserPassword")
		if len(policies) != 0 {
			t.Errorf("password mode grants %d role policies", len(policies))
		}
		return
	}
	wantString(t, inst, "username", RDSAdminUser)
	wantBool(t, inst, "manageMasterUserPassword", true)
	wantAbsent(t, inst, "password")
	if tc.dev {
		wantAbsent(t, inst, "masterUserSecretKmsKeyId")
	} else {
		wantString(t, inst, "masterUserSecretKmsKeyId", "arn:aws:kms:eu-west-2:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab")
	}
	policy := dep.m.MustFind(t, tRolePolicy, name+"-connect")
	wantString(t, policy, "role", portalRoleName)
	var doc struct {
		Statement []struct {
			Effect, Action, Resource string
		}
	}
	if err := json.Unmarshal([]byte(policy.String("policy")), &doc); err != nil {
		t.Fatalf("policy: %v", err)
	}
	want := "arn:aws:rds-db:eu-west-2:111111111111:dbuser:db-ABCDEFGHIJKL/backstage"
	if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" || doc.Statement[0].Action != "rds-db:connect" || doc.Statement[0].Resource != want {
		t.Errorf("connect policy = %+v, want Allow rds-db:connect on %s only", doc.Statement, want)
	}
	sql, _ := dep.outs["bootstrapSql"].Value.(string)
	for _, stmt := range []string{`CREATE ROLE "backstage" WITH LOGIN;`, `GRANT rds_iam TO "backstage";`, `GRANT ALL PRIVILEGES ON DATABASE "backstage" TO "backstage";`} {
		if !strings.Contains(sql, stmt) {
			t.Errorf("bootstrap SQL lacks %s:\n%s", stmt, sql)
		}
	}
	if c := dep.comp.Connection; c.Region != "eu-west-2" || !c.RDSIAM() {
		t.Errorf("connection region %q, RDS IAM %v", c.Region, c.RDSIAM())
	}
}
