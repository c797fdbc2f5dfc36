package database

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Defaults applied by WithDefaults.
const (
	DefaultDatabaseName        = "backstage"
	DefaultUser                = "backstage"
	DefaultEngineVersion       = "16"
	DefaultBackupRetentionDays = 7

	DefaultGCPTier            = "db-custom-2-7680"
	DefaultGCPDiskType        = "PD_SSD"
	DefaultMaintenanceDay     = 7 // Sunday
	DefaultMaintenanceHour    = 3 // 03:00 UTC
	DefaultAWSInstanceClass   = "db.t4g.medium"
	DefaultAllocatedStorage   = 20
	DefaultMaxStorage         = 100
	DefaultCACertIdentifier   = "rds-ca-rsa2048-g1"
	enhancedMonitoringSeconds = 60
)

// SupportedEngineVersions are the PostgreSQL major versions both Cloud SQL and RDS offer with
// standard support; older majors are out of community support.
var SupportedEngineVersions = []string{"14", "15", "16", "17"}

// Args configures a ManagedDatabase. The json names are the keys of the stack's
// `developer-portal:database` config section.
type Args struct {
	// Cloud is "gcp" (Cloud SQL) or "aws" (RDS). Required.
	Cloud string `json:"cloud,omitempty"`
	// Auth is "password" (default: a generated password handed to the portal as a secret) or
	// "iam" (no password: on GCP Cloud SQL IAM database authentication through the Cloud SQL
	// connector; on AWS RDS IAM tokens the portal signs with its IRSA role, which the
	// component grants rds-db:connect on the instance as User).
	Auth string `json:"auth,omitempty"`
	// DatabaseName is the database Backstage uses (one schema per plugin). Default "backstage".
	// Changing it creates a new, empty database.
	DatabaseName string `json:"databaseName,omitempty"`
	// User is the login role of the portal (password mode). With IAM auth the login is derived
	// from the IAM principal on GCP; on AWS it is the database user the IAM role may connect as.
	// Default "backstage".
	User string `json:"user,omitempty"`
	// EngineVersion is the PostgreSQL major version ("16"); minor versions are patched by the
	// cloud. Default "16".
	EngineVersion string `json:"engineVersion,omitempty"`
	// HighAvailability places a standby in a second zone (Cloud SQL REGIONAL, RDS Multi-AZ).
	// Default true; a development stack opts out with false.
	HighAvailability *bool `json:"highAvailability,omitempty"`
	// BackupRetentionDays is how long automated backups are kept (GCP: 1-365 retained daily
	// backups; AWS: 1-35 days, which is also the point-in-time window). Default 7.
	BackupRetentionDays int `json:"backupRetentionDays,omitempty"`
	// Protect keeps the data: Pulumi protect on the instance, database and user, retainOnDelete
	// on the instance and database, and the cloud's own deletion protection. Default true; only
	// a disposable stack may set false.
	Protect *bool `json:"protect,omitempty"`
	// Labels are added to the cloud resources (GCP labels / AWS tags, GCP label syntax).
	Labels map[string]string `json:"labels,omitempty"`

	// GCP configures Cloud SQL; required with cloud "gcp", rejected otherwise.
	GCP *GCPArgs `json:"gcp,omitempty"`
	// AWS configures RDS; required with cloud "aws", rejected otherwise.
	AWS *AWSArgs `json:"aws,omitempty"`

	// IAMServiceAccountEmail is the portal's GCP service account (bound to its Kubernetes
	// service account by Workload Identity). Required with cloud "gcp" and auth "iam".
	IAMServiceAccountEmail pulumi.StringInput `json:"-"`
	// IAMRoleName is the portal's IAM role (assumed by its Kubernetes service account through
	// IRSA), in the instance's account. Required with cloud "aws" and auth "iam": the
	// component gives it rds-db:connect on the instance as User, and nothing else.
	IAMRoleName pulumi.StringInput `json:"-"`
}

// GCPArgs configures a Cloud SQL for PostgreSQL instance.
type GCPArgs struct {
	// Project is the project the instance lives in (the platform's or the paired one). Required.
	Project string `json:"project,omitempty"`
	// Region of the instance, e.g. "europe-west2". Required.
	Region string `json:"region,omitempty"`
	// Tier is the machine type: db-custom-<vCPUs>-<MiB> (dedicated cores, ENTERPRISE),
	// db-perf-optimized-N-<vCPUs> (ENTERPRISE_PLUS) or db-f1-micro / db-g1-small (shared core,
	// no HA). Default db-custom-2-7680.
	Tier string `json:"tier,omitempty"`
	// PrivateNetwork is the VPC the instance gets its private IP in
	// ("projects/<p>/global/networks/<n>" or its self link). Required: there is no public IP.
	PrivateNetwork string `json:"privateNetwork,omitempty"`
	// AllocatedIPRange names the private services access range to allocate from (optional).
	AllocatedIPRange string `json:"allocatedIpRange,omitempty"`
	// DiskType is PD_SSD (default) or PD_HDD.
	DiskType string `json:"diskType,omitempty"`
	// Edition is ENTERPRISE or ENTERPRISE_PLUS; default follows the tier.
	Edition string `json:"edition,omitempty"`
	// MaintenanceWindow is when Cloud SQL may restart the instance for updates (UTC).
	MaintenanceWindow *MaintenanceWindow `json:"maintenanceWindow,omitempty"`
	// TransactionLogRetentionDays is the point-in-time-recovery window: 1-7 days (ENTERPRISE) or
	// 1-35 (ENTERPRISE_PLUS), at most backupRetentionDays. Default: the edition's maximum capped
	// by backupRetentionDays (ENTERPRISE_PLUS: 14).
	TransactionLogRetentionDays int `json:"transactionLogRetentionDays,omitempty"`
}

// MaintenanceWindow is a weekly one-hour window.
type MaintenanceWindow struct {
	// Day of the week, 1 (Monday) to 7 (Sunday). Default 7.
	Day int `json:"day,omitempty"`
	// Hour of the day, 0-23 UTC. Default 3.
	Hour *int `json:"hour,omitempty"`
}

// AWSArgs configures an RDS for PostgreSQL instance.
type AWSArgs struct {
	// Region of the account's provider (the stack fills it from its cloud section). Required
	// with auth "iam": the portal signs its RDS IAM tokens for this region.
	Region string `json:"region,omitempty"`
	// InstanceClass such as db.t4g.medium or db.m7g.large. Default db.t4g.medium.
	InstanceClass string `json:"instanceClass,omitempty"`
	// AllocatedStorage in GiB (20-65536). Default 20.
	AllocatedStorage int `json:"allocatedStorage,omitempty"`
	// MaxAllocatedStorage is the storage autoscaling ceiling in GiB, above AllocatedStorage.
	// Default 100.
	MaxAllocatedStorage int `json:"maxAllocatedStorage,omitempty"`
	// SubnetIDs of private subnets in at least two availability zones. Required (>= 2).
	SubnetIDs []string `json:"subnetIds,omitempty"`
	// SecurityGroupIDs allowed to reach the instance (the cluster's node or pod security
	// group). Required (>= 1).
	SecurityGroupIDs []string `json:"securityGroupIds,omitempty"`
	// KMSKeyID is a customer-managed key ARN for storage, Performance Insights and the admin
	// secret; the AWS-managed key is used when empty. Changing it replaces the instance.
	KMSKeyID string `json:"kmsKeyId,omitempty"`
	// CABundle is the PEM of the RDS CA bundle the portal trusts. Required: the RDS CA is not
	// in Node's trust store.
	CABundle string `json:"caBundle,omitempty"`
	// CACertIdentifier is the server certificate authority. Default rds-ca-rsa2048-g1.
	CACertIdentifier string `json:"caCertIdentifier,omitempty"`
	// MonitoringRoleARN turns on enhanced monitoring (every 60 s) with this role when set.
	MonitoringRoleARN string `json:"monitoringRoleArn,omitempty"`
}

// WithDefaults returns a copy of the Args with every default applied; the caller's Args are
// never changed.
func (a Args) WithDefaults() Args {
	out := a
	if out.Auth == "" {
		out.Auth = "password"
	}
	if out.DatabaseName == "" {
		out.DatabaseName = DefaultDatabaseName
	}
	if out.User == "" {
		out.User = DefaultUser
	}
	if out.EngineVersion == "" {
		out.EngineVersion = DefaultEngineVersion
	}
	if out.HighAvailability == nil {
		out.HighAvailability = boolPtr(true)
	}
	if out.BackupRetentionDays == 0 {
		out.BackupRetentionDays = DefaultBackupRetentionDays
	}
	if out.Protect == nil {
		out.Protect = boolPtr(true)
	}
	if a.Labels != nil {
		out.Labels = make(map[string]string, len(a.Labels))
		for k, v := range a.Labels {
			out.Labels[k] = v
		}
	}
	if a.GCP != nil {
		g := *a.GCP
		if g.Tier == "" {
			g.Tier = DefaultGCPTier
		}
		if g.DiskType == "" {
			g.DiskType = DefaultGCPDiskType
		}
		if g.Edition == "" {
			g.Edition = editionForTier(g.Tier)
		}
		mw := MaintenanceWindow{}
		if a.GCP.MaintenanceWindow != nil {
			mw = *a.GCP.MaintenanceWindow
		}
		if mw.Day == 0 {
			mw.Day = DefaultMaintenanceDay
		}
		if mw.Hour == nil {
			mw.Hour = intPtr(DefaultMaintenanceHour)
		} else {
			mw.Hour = intPtr(*mw.Hour)
		}
		g.MaintenanceWindow = &mw
		if g.TransactionLogRetentionDays == 0 {
			g.TransactionLogRetentionDays = min(maxTransactionLogDays(g.Edition, true), out.BackupRetentionDays)
		}
		out.GCP = &g
	}
	if a.AWS != nil {
		w := *a.AWS
		w.SubnetIDs = append([]string(nil), a.AWS.SubnetIDs...)
		w.SecurityGroupIDs = append([]string(nil), a.AWS.SecurityGroupIDs...)
		if w.InstanceClass == "" {
			w.InstanceClass = DefaultAWSInstanceClass
		}
		if w.AllocatedStorage == 0 {
			w.AllocatedStorage = DefaultAllocatedStorage
		}
		if w.MaxAllocatedStorage == 0 {
			w.MaxAllocatedStorage = max(DefaultMaxStorage, w.AllocatedStorage*2)
		}
		if w.CACertIdentifier == "" {
			w.CACertIdentifier = DefaultCACertIdentifier
		}
		out.AWS = &w
	}
	return out
}

func boolPtr(b bool) *bool { return &b }
func intPtr(i int) *int    { return &i }
