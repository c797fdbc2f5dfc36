package database

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/coreeng/developer-portal/internal/validate"
)

func validGCP() *Args {
	return &Args{Cloud: cloud.GCP, GCP: &GCPArgs{
		Project: "tenant-a-prod", Region: "europe-west2",
		PrivateNetwork: "projects/tenant-a-prod/global/networks/platform",
	}}
}

func validAWS() *Args {
	return &Args{Cloud: cloud.AWS, AWS: &AWSArgs{
		SubnetIDs:        []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
		SecurityGroupIDs: []string{"sg-0123456789abcdef0"},
		CABundle:         testCABundle,
	}}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name     string
		args     func() *Args
		compName string
		paths    []string // every path must be named; messages are checked for a hint
		hint     string
	}{
		{"nil args", func() *Args { return nil }, "", []string{""}, "args are required"},
		{"no cloud", func() *Args { return &Args{} }, "", []string{"cloud"}, "required"},
		{"unknown cloud", func() *Args { a := validGCP(); a.Cloud = "azure"; return a }, "", []string{"cloud"}, "azure"},
		{"unknown auth", func() *Args { a := validGCP(); a.Auth = "kerberos"; return a }, "", []string{"auth"}, "kerberos"},
		{"unsupported engine", func() *Args { a := validAWS(); a.EngineVersion = "12"; return a }, "", []string{"engineVersion"}, "supported"},
		{"full engine version", func() *Args { a := validGCP(); a.EngineVersion = "16.4"; return a }, "", []string{"engineVersion"}, "major"},
		{"bad user", func() *Args { a := validGCP(); a.User = "Backstage-User"; return a }, "", []string{"user"}, "lower-case"},
		{"reserved database", func() *Args { a := validGCP(); a.DatabaseName = "postgres"; return a }, "", []string{"databaseName"}, "reserved"},
		{"gcp section missing", func() *Args { return &Args{Cloud: cloud.GCP} }, "", []string{"gcp"}, "required"},
		{"aws section with gcp", func() *Args { a := validGCP(); a.AWS = validAWS().AWS; return a }, "", []string{"aws"}, "only allowed"},
		{"missing network", func() *Args { a := validGCP(); a.GCP.PrivateNetwork = ""; return a }, "", []string{"gcp.privateNetwork"}, "private IP"},
		{"public-looking network", func() *Args { a := validGCP(); a.GCP.PrivateNetwork = "default"; return a }, "", []string{"gcp.privateNetwork"}, "projects/"},
		{"missing project and region", func() *Args { a := validGCP(); a.GCP.Project, a.GCP.Region = "", ""; return a }, "", []string{"gcp.project", "gcp.region"}, "required"},
		{"tier of the wrong shape", func() *Args { a := validGCP(); a.GCP.Tier = "db-n1-standard-2"; return a }, "", []string{"gcp.tier"}, "db-custom"},
		{"custom tier odd vCPUs", func() *Args { a := validGCP(); a.GCP.Tier = "db-custom-3-7680"; return a }, "", []string{"gcp.tier"}, "even"},
		{"custom tier too little memory", func() *Args { a := validGCP(); a.GCP.Tier = "db-custom-8-6144"; return a }, "", []string{"gcp.tier"}, "per vCPU"},
		{"HA on shared core", func() *Args { a := validGCP(); a.GCP.Tier = "db-f1-micro"; return a }, "", []string{"gcp.tier"}, "highAvailability"},
		{"edition mismatch", func() *Args { a := validGCP(); a.GCP.Edition = EditionEnterprisePlus; return a }, "", []string{"gcp.edition"}, "db-perf-optimized"},
		{"gcp retention too long", func() *Args { a := validGCP(); a.BackupRetentionDays = 400; return a }, "", []string{"backupRetentionDays"}, "365"},
		{"negative retention", func() *Args { a := validAWS(); a.BackupRetentionDays = -1; return a }, "", []string{"backupRetentionDays"}, "positive"},
		{"log retention beyond edition", func() *Args {
			a := validGCP()
			a.BackupRetentionDays = 30
			a.GCP.TransactionLogRetentionDays = 14
			return a
		}, "", []string{"gcp.transactionLogRetentionDays"}, "between 1 and 7"},
		{"log retention beyond backups", func() *Args {
			a := validGCP()
			a.BackupRetentionDays = 3
			a.GCP.TransactionLogRetentionDays = 5
			return a
		}, "", []string{"gcp.transactionLogRetentionDays"}, "backupRetentionDays"},
		{"maintenance window", func() *Args {
			a := validGCP()
			a.GCP.MaintenanceWindow = &MaintenanceWindow{Day: 8, Hour: intPtr(24)}
			return a
		}, "", []string{"gcp.maintenanceWindow.day", "gcp.maintenanceWindow.hour"}, "must be"},
		{"aws retention too long", func() *Args { a := validAWS(); a.BackupRetentionDays = 36; return a }, "", []string{"backupRetentionDays"}, "35"},
		{"aws section missing", func() *Args { return &Args{Cloud: cloud.AWS} }, "", []string{"aws"}, "required"},
		{"one subnet (HA in a single zone)", func() *Args { a := validAWS(); a.AWS.SubnetIDs = a.AWS.SubnetIDs[:1]; return a }, "", []string{"aws.subnetIds"}, "two availability zones"},
		{"bad subnet id", func() *Args { a := validAWS(); a.AWS.SubnetIDs[1] = "10.0.1.0/24"; return a }, "", []string{"aws.subnetIds[1]"}, "subnet-"},
		{"duplicate subnet", func() *Args { a := validAWS(); a.AWS.SubnetIDs[1] = a.AWS.SubnetIDs[0]; return a }, "", []string{"aws.subnetIds[1]"}, "duplicate"},
		{"no security group", func() *Args { a := validAWS(); a.AWS.SecurityGroupIDs = nil; return a }, "", []string{"aws.securityGroupIds"}, "security group"},
		{"instance class of the wrong shape", func() *Args { a := validAWS(); a.AWS.InstanceClass = "t3.medium"; return a }, "", []string{"aws.instanceClass"}, "db.t4g.medium"},
		{"storage ceiling below size", func() *Args {
			a := validAWS()
			a.AWS.AllocatedStorage, a.AWS.MaxAllocatedStorage = 100, 50
			return a
		}, "", []string{"aws.maxAllocatedStorage"}, "above"},
		{"storage too small", func() *Args { a := validAWS(); a.AWS.AllocatedStorage = 5; return a }, "", []string{"aws.allocatedStorage"}, "20"},
		{"missing CA bundle", func() *Args { a := validAWS(); a.AWS.CABundle = ""; return a }, "", []string{"aws.caBundle"}, "required"},
		{"CA bundle not PEM", func() *Args { a := validAWS(); a.AWS.CABundle = "rds-ca"; return a }, "", []string{"aws.caBundle"}, "PEM"},
		{"expired CA", func() *Args { a := validAWS(); a.AWS.CACertIdentifier = "rds-ca-2019"; return a }, "", []string{"aws.caCertIdentifier"}, "rds-ca-rsa2048-g1"},
		{"bad ARNs", func() *Args {
			a := validAWS()
			a.AWS.KMSKeyID, a.AWS.MonitoringRoleARN = "alias/foo", "rds-monitoring"
			return a
		}, "", []string{"aws.kmsKeyId", "aws.monitoringRoleArn"}, "ARN"},
		{"gcp iam without service account", func() *Args { a := validGCP(); a.Auth = "iam"; return a }, "", []string{"iamServiceAccountEmail"}, "Workload Identity"},
		{"aws iam without role or region", func() *Args { a := validAWS(); a.Auth = "iam"; return a }, "", []string{"aws.region", "iamRoleName"}, "IRSA"},
		{"bad label", func() *Args { a := validGCP(); a.Labels = map[string]string{"Team": "A B"}; return a }, "", []string{"labels.Team"}, "lower-case"},
		{"bad component name", validGCP, "Portal_DB", []string{""}, "component name"},
		{"several problems at once", func() *Args {
			a := validAWS()
			a.EngineVersion = "9.6"
			a.AWS.SubnetIDs = nil
			a.AWS.CABundle = ""
			return a
		}, "", []string{"engineVersion", "aws.subnetIds", "aws.caBundle"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := testkit.NewMocks()
			name := tc.compName
			if name == "" {
				name = "portal-db"
			}
			err := testkit.Run(func(ctx *pulumi.Context) error {
				_, err := NewManagedDatabase(ctx, name, tc.args())
				return err
			}, m, nil)
			if err == nil {
				t.Fatal("want an error")
			}
			if n := len(m.Resources()); n != 0 {
				t.Errorf("%d resources registered despite invalid input", n)
			}
			msg := err.Error()
			for _, p := range tc.paths {
				if p != "" && !strings.Contains(msg, p+": ") {
					t.Errorf("error does not name %q:\n%s", p, msg)
				}
			}
			if !strings.Contains(msg, tc.hint) {
				t.Errorf("error does not say %q:\n%s", tc.hint, msg)
			}
			// Validate (and the wiring check the constructor adds) report the same Args
			// problems without a program.
			if tc.compName == "" {
				verr := tc.args().Validate()
				if werr := tc.args().checkWiring(); verr == nil {
					verr = werr
				}
				var ve *validate.Errors
				if tc.args() != nil && !errors.As(verr, &ve) {
					t.Errorf("Validate() = %v, want *validate.Errors", verr)
				}
				if verr == nil {
					t.Error("Validate() accepted invalid args")
				}
			}
		})
	}
}

func TestValidArgs(t *testing.T) {
	cases := map[string]*Args{
		"gcp defaults": validGCP(),
		"aws defaults": validAWS(),
		"gcp enterprise plus": func() *Args {
			a := validGCP()
			a.BackupRetentionDays = 30
			a.GCP.Tier = "db-perf-optimized-N-4"
			a.GCP.TransactionLogRetentionDays = 30
			a.GCP.MaintenanceWindow = &MaintenanceWindow{Day: 1, Hour: intPtr(0)}
			return a
		}(),
		"gcp self link network": func() *Args {
			a := validGCP()
			a.GCP.PrivateNetwork = "https://www.googleapis.com/compute/v1/projects/host-proj-1/global/networks/shared"
			return a
		}(),
		"gcp dev": func() *Args {
			a := validGCP()
			a.HighAvailability, a.Protect = boolPtr(false), boolPtr(false)
			a.GCP.Tier, a.BackupRetentionDays = "db-f1-micro", 2
			return a
		}(),
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			if err := a.Validate(); err != nil {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	a := validGCP()
	a.Labels = map[string]string{"team": "platform"}
	before, _ := json.Marshal(a)
	d := a.WithDefaults()
	after, _ := json.Marshal(a)
	if string(before) != string(after) {
		t.Errorf("WithDefaults changed the caller's args:\n%s\n%s", before, after)
	}
	d.Labels["team"] = "x"
	d.GCP.Project = "x"
	if a.Labels["team"] != "platform" || a.GCP.Project != "tenant-a-prod" {
		t.Error("defaults share maps or structs with the caller's args")
	}
	want := map[string]any{
		"Auth": "password", "DatabaseName": "backstage", "User": "backstage", "EngineVersion": "16",
		"HighAvailability": true, "Protect": true, "BackupRetentionDays": 7,
	}
	got := map[string]any{
		"Auth": d.Auth, "DatabaseName": d.DatabaseName, "User": d.User, "EngineVersion": d.EngineVersion,
		"HighAvailability": *d.HighAvailability, "Protect": *d.Protect, "BackupRetentionDays": d.BackupRetentionDays,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults = %v, want %v", got, want)
	}
	if g := d.GCP; g.Tier != DefaultGCPTier || g.Edition != EditionEnterprise || g.DiskType != "PD_SSD" ||
		g.TransactionLogRetentionDays != 7 || g.MaintenanceWindow.Day != 7 || *g.MaintenanceWindow.Hour != 3 {
		t.Errorf("gcp defaults = %+v", *g)
	}
	// The PITR window follows the edition and never exceeds the backups.
	p := validGCP()
	p.GCP.Tier = "db-perf-optimized-N-2"
	if g := p.WithDefaults().GCP; g.Edition != EditionEnterprisePlus || g.TransactionLogRetentionDays != 7 {
		t.Errorf("enterprise plus with 7 backups: edition %s, log days %d", g.Edition, g.TransactionLogRetentionDays)
	}
	p.BackupRetentionDays = 30
	if g := p.WithDefaults().GCP; g.TransactionLogRetentionDays != 14 {
		t.Errorf("enterprise plus with 30 backups: log days %d, want 14", g.TransactionLogRetentionDays)
	}
	w := validAWS().WithDefaults().AWS
	if w.InstanceClass != DefaultAWSInstanceClass || w.AllocatedStorage != 20 || w.MaxAllocatedStorage != 100 || w.CACertIdentifier != "rds-ca-rsa2048-g1" {
		t.Errorf("aws defaults = %+v", *w)
	}
}

// TestConfigDecoding checks the json names users write in the stack config.
func TestConfigDecoding(t *testing.T) {
	raw := `{"cloud":"aws","auth":"password","highAvailability":false,"backupRetentionDays":14,"protect":false,
	  "aws":{"region":"eu-west-2","instanceClass":"db.m7g.large","allocatedStorage":50,"maxAllocatedStorage":200,
	  "subnetIds":["subnet-0123456789abcdef0","subnet-0123456789abcdef1"],"securityGroupIds":["sg-0123456789abcdef0"],
	  "kmsKeyId":"arn:aws:kms:eu-west-2:111111111111:key/abc","caBundle":"-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----",
	  "caCertIdentifier":"rds-ca-ecc384-g1","monitoringRoleArn":"arn:aws:iam::111111111111:role/mon"}}`
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var a Args
	if err := dec.Decode(&a); err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if *a.HighAvailability || *a.Protect || a.AWS.MaxAllocatedStorage != 200 || a.AWS.CACertIdentifier != "rds-ca-ecc384-g1" {
		t.Errorf("decoded %+v %+v", a, *a.AWS)
	}
	rawGCP := `{"cloud":"gcp","gcp":{"project":"tenant-a-prod","region":"europe-west2","tier":"db-custom-1-3840",
	  "privateNetwork":"projects/tenant-a-prod/global/networks/platform","allocatedIpRange":"psa","diskType":"PD_SSD",
	  "edition":"ENTERPRISE","maintenanceWindow":{"day":6,"hour":0},"transactionLogRetentionDays":3}}`
	dec = json.NewDecoder(strings.NewReader(rawGCP))
	dec.DisallowUnknownFields()
	var g Args
	if err := dec.Decode(&g); err != nil {
		t.Fatal(err)
	}
	if err := g.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if *g.GCP.MaintenanceWindow.Hour != 0 || g.GCP.AllocatedIPRange != "psa" {
		t.Errorf("decoded %+v", *g.GCP)
	}
}

// TestProblemOrderIsStable: problems in map-valued settings are reported in key order, so
// the same configuration prints the same error every run.
func TestProblemOrderIsStable(t *testing.T) {
	a := validGCP()
	a.Labels = map[string]string{}
	for _, k := range []string{"Zeta", "Alpha", "Mu", "Beta", "Omega", "Kappa", "Delta", "Gamma"} {
		a.Labels[k] = "x"
	}
	want := a.Validate().Error()
	for i := 0; i < 20; i++ {
		if got := a.Validate().Error(); got != want {
			t.Fatalf("run %d reported\n%s\nthen\n%s", i, want, got)
		}
	}
	if ia, iz := strings.Index(want, "labels.Alpha"), strings.Index(want, "labels.Zeta"); ia < 0 || iz < 0 || ia > iz {
		t.Errorf("label problems are not in key order:\n%s", want)
	}
}

// TestRDSIAMNeedsTheRegion: RDS IAM logins are accepted once the region the tokens are
// signed for is known, and refused without it, naming the key.
func TestRDSIAMNeedsTheRegion(t *testing.T) {
	a := validAWS()
	a.Auth = "iam"
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "aws.region: is required") {
		t.Fatalf("Validate() without a region = %v", err)
	}
	a.AWS.Region = "eu-west-2"
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate() = %v", err)
	}
	if got := a.ConnectionMode(); got.Region != "eu-west-2" || !got.RDSIAM() {
		t.Errorf("connection mode = %+v", got)
	}
}

func TestRDSConnectResource(t *testing.T) {
	for _, c := range []struct{ arn, id, want string }{
		{"arn:aws:rds:eu-west-2:111111111111:db:portal-db", "db-ABC", "arn:aws:rds-db:eu-west-2:111111111111:dbuser:db-ABC/backstage"},
		{"arn:aws-us-gov:rds:us-gov-west-1:222222222222:db:x", "db-Z", "arn:aws-us-gov:rds-db:us-gov-west-1:222222222222:dbuser:db-Z/backstage"},
		{"arn:aws:rds:eu-west-2:111111111111:cluster:portal", "db-ABC", ""},
		{"arn:aws:rds:eu-west-2:111111111111:db:portal-db", "", ""},
		{"not-an-arn", "db-ABC", ""},
	} {
		got, err := RDSConnectResource(c.arn, c.id, "backstage")
		if got != c.want || (err == nil) != (c.want != "") {
			t.Errorf("RDSConnectResource(%q, %q) = %q, %v; want %q", c.arn, c.id, got, err, c.want)
		}
	}
}

// TestLabelSecrets: label values are readable by anyone who can list the instance, so one shaped
// like a credential is refused, and no label error repeats the value.
func TestLabelSecrets(t *testing.T) {
	// Built at run time so that no scanner of this repository mistakes the source for a leak.
	mixed := "xoxb-" + "1234567890123-1234567890123-" + "aB3dE5gH7jK9mN1pQ3sT5vW7"
	lower := strings.ToLower(mixed)
	cases := []struct {
		name, value, hint string
	}{
		{"token with upper-case letters (bad syntax)", mixed, "lower-case"},
		{"lower-case token (valid syntax)", lower, "credential"},
		{"value with a space", "not a label", "lower-case"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := validGCP()
			a.Labels = map[string]string{"owner": tc.value}
			err := a.Validate()
			if err == nil {
				t.Fatal("Validate accepted the label")
			}
			msg := err.Error()
			if !strings.Contains(msg, "labels.owner: ") || !strings.Contains(msg, tc.hint) {
				t.Errorf("the error does not name labels.owner with %q:\n%s", tc.hint, msg)
			}
			if strings.Contains(msg, tc.value) {
				t.Errorf("the error repeats the value:\n%s", msg)
			}
		})
	}
}
