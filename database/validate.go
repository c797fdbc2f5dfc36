package database

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
)

// Editions of Cloud SQL.
const (
	EditionEnterprise     = "ENTERPRISE"
	EditionEnterprisePlus = "ENTERPRISE_PLUS"
)

var (
	pgIdent       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	customTier    = regexp.MustCompile(`^db-custom-([0-9]+)-([0-9]+)$`)
	perfTier      = regexp.MustCompile(`^db-perf-optimized-N-([0-9]+)$`)
	vpcNetwork    = regexp.MustCompile(`^(https://www\.googleapis\.com/compute/v1/)?projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	rfc1035       = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	rdsClass      = regexp.MustCompile(`^db\.[a-z][a-z0-9-]*\.(micro|small|medium|large|[0-9]*xlarge|metal)$`)
	subnetID      = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	securityGroup = regexp.MustCompile(`^sg-[0-9a-f]{8,17}$`)
	kmsKeyARN     = regexp.MustCompile(`^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-zA-Z-]+$`)
)

// reservedRoles are names the clouds use themselves (or Postgres reserves).
var reservedRoles = map[string]bool{
	"postgres": true, "public": true, "rdsadmin": true, "rds_superuser": true, "rds_iam": true,
	"cloudsqladmin": true, "cloudsqlsuperuser": true, "cloudsqlagent": true,
	"cloudsqliamuser": true, "cloudsqliamserviceaccount": true, "cloudsqlimportexport": true,
	"template0": true, "template1": true,
}

// rdsCACerts are the RDS certificate authorities that have not expired.
var rdsCACerts = []string{"rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"}

// Validate reports every problem of the Args at once (a *validate.Errors whose paths are the
// config keys), so a program can check them before registering any resource. It looks only at
// what is known before registration: the input another resource provides
// (IAMServiceAccountEmail) is checked by NewManagedDatabase.
func (a *Args) Validate() error { return a.validate() }

// checkWiring checks the input that comes from another resource: the portal's service account
// with IAM login on GCP.
func (a *Args) checkWiring() error {
	var errs validate.Errors
	if a != nil && a.Cloud == cloud.GCP && a.WithDefaults().Auth == cloud.AuthIAM && a.IAMServiceAccountEmail == nil {
		errs.Add("iamServiceAccountEmail", "is required with auth %q on GCP (the portal's Workload Identity service account)", cloud.AuthIAM)
	}
	if a != nil && a.Cloud == cloud.AWS && a.WithDefaults().Auth == cloud.AuthIAM && a.IAMRoleName == nil {
		errs.Add("iamRoleName", "is required with auth %q on AWS (the portal's IRSA role, granted rds-db:connect)", cloud.AuthIAM)
	}
	return errs.Err()
}

func (a *Args) validate() error {
	if a == nil {
		return errors.New("database: args are required")
	}
	d := new(a.WithDefaults())
	var errs validate.Errors

	switch d.Cloud {
	case "":
		errs.Add("cloud", "is required: %q or %q", cloud.GCP, cloud.AWS)
	case cloud.GCP, cloud.AWS:
	default:
		errs.Add("cloud", "must be %q or %q, got %q", cloud.GCP, cloud.AWS, d.Cloud)
	}
	if !validate.OneOf(d.Auth, cloud.AuthPassword, cloud.AuthIAM) {
		errs.Add("auth", "must be %q or %q, got %q", cloud.AuthPassword, cloud.AuthIAM, d.Auth)
	}
	checkRole(&errs, "databaseName", d.DatabaseName)
	checkRole(&errs, "user", d.User)
	if !validate.OneOf(d.EngineVersion, SupportedEngineVersions...) {
		errs.Add("engineVersion", "must be a supported PostgreSQL major version (%s), got %q",
			strings.Join(SupportedEngineVersions, ", "), d.EngineVersion)
	}
	if d.BackupRetentionDays < 0 {
		errs.Add("backupRetentionDays", "must be positive, got %d", d.BackupRetentionDays)
	}
	checkLabels(&errs, d.Labels)

	switch d.Cloud {
	case cloud.GCP:
		if d.AWS != nil {
			errs.Add("aws", "is only allowed with cloud %q", cloud.AWS)
		}
		if d.GCP == nil {
			errs.Add("gcp", "is required with cloud %q", cloud.GCP)
		} else {
			errs.Merge("gcp", d.GCP.validate(d))
		}
		if d.BackupRetentionDays > 365 {
			errs.Add("backupRetentionDays", "must be between 1 and 365 on Cloud SQL, got %d", d.BackupRetentionDays)
		}
	case cloud.AWS:
		if d.GCP != nil {
			errs.Add("gcp", "is only allowed with cloud %q", cloud.GCP)
		}
		if d.AWS == nil {
			errs.Add("aws", "is required with cloud %q", cloud.AWS)
		} else {
			errs.Merge("aws", d.AWS.validate())
		}
		if d.BackupRetentionDays > 35 {
			errs.Add("backupRetentionDays", "must be between 1 and 35 on RDS, got %d", d.BackupRetentionDays)
		}
		if d.Auth == cloud.AuthIAM && d.AWS != nil && d.AWS.Region == "" {
			errs.Add("aws.region", "is required with auth %q: the portal signs its RDS IAM tokens for the instance's region", cloud.AuthIAM)
		}
	}
	return errs.Err()
}

func (g *GCPArgs) validate(d *Args) error {
	var errs validate.Errors
	if g.Project == "" {
		errs.Add("project", "is required")
	} else if !validate.GCPProjectID(g.Project) {
		errs.Add("project", "must be a GCP project ID (6-30 lower-case letters, digits, hyphens), got %q", g.Project)
	}
	if g.Region == "" {
		errs.Add("region", "is required")
	} else if !validate.GCPRegion(g.Region) {
		errs.Add("region", "must be a GCP region such as europe-west2, got %q", g.Region)
	}
	tierOK := checkTier(&errs, g.Tier)
	if !validate.OneOf(g.Edition, EditionEnterprise, EditionEnterprisePlus) {
		errs.Add("edition", "must be %q or %q, got %q", EditionEnterprise, EditionEnterprisePlus, g.Edition)
	} else if tierOK && editionForTier(g.Tier) != g.Edition {
		errs.Add("edition", "%s does not support tier %q (ENTERPRISE_PLUS needs db-perf-optimized-N-*, ENTERPRISE db-custom-* or shared core)", g.Edition, g.Tier)
	}
	if tierOK && *d.HighAvailability && sharedCore(g.Tier) {
		errs.Add("tier", "%q is a shared-core tier, which has no high-availability SLA: use a dedicated-core tier or set highAvailability: false", g.Tier)
	}
	if g.PrivateNetwork == "" {
		errs.Add("privateNetwork", "is required: the instance has a private IP only")
	} else if !vpcNetwork.MatchString(g.PrivateNetwork) {
		errs.Add("privateNetwork", "must be projects/<project>/global/networks/<network> (or its self link), got %q", g.PrivateNetwork)
	}
	if g.AllocatedIPRange != "" && !rfc1035.MatchString(g.AllocatedIPRange) {
		errs.Add("allocatedIpRange", "must be the name of an allocated range (RFC 1035 label), got %q", g.AllocatedIPRange)
	}
	if !validate.OneOf(g.DiskType, "PD_SSD", "PD_HDD") {
		errs.Add("diskType", "must be PD_SSD or PD_HDD, got %q", g.DiskType)
	}
	if mw := g.MaintenanceWindow; mw != nil {
		if mw.Day < 1 || mw.Day > 7 {
			errs.Add("maintenanceWindow.day", "must be 1 (Monday) to 7 (Sunday), got %d", mw.Day)
		}
		if *mw.Hour < 0 || *mw.Hour > 23 {
			errs.Add("maintenanceWindow.hour", "must be 0 to 23 (UTC), got %d", *mw.Hour)
		}
	}
	if maxDays := maxTransactionLogDays(g.Edition, false); g.TransactionLogRetentionDays < 1 || g.TransactionLogRetentionDays > maxDays {
		errs.Add("transactionLogRetentionDays", "must be between 1 and %d for %s, got %d", maxDays, g.Edition, g.TransactionLogRetentionDays)
	} else if g.TransactionLogRetentionDays > d.BackupRetentionDays {
		errs.Add("transactionLogRetentionDays", "must not exceed backupRetentionDays (%d), got %d", d.BackupRetentionDays, g.TransactionLogRetentionDays)
	}
	return errs.Err()
}

func (w *AWSArgs) validate() error {
	var errs validate.Errors
	if w.Region != "" && !validate.AWSRegion(w.Region) {
		errs.Add("region", "must be an AWS region such as eu-west-2, got %q", w.Region)
	}
	if !rdsClass.MatchString(w.InstanceClass) {
		errs.Add("instanceClass", "must be an RDS instance class such as db.t4g.medium or db.m7g.large, got %q", w.InstanceClass)
	}
	if w.AllocatedStorage < 20 || w.AllocatedStorage > 65536 {
		errs.Add("allocatedStorage", "must be between 20 and 65536 GiB, got %d", w.AllocatedStorage)
	}
	if w.MaxAllocatedStorage <= w.AllocatedStorage || w.MaxAllocatedStorage > 65536 {
		errs.Add("maxAllocatedStorage", "must be above allocatedStorage (%d) and at most 65536 GiB, got %d", w.AllocatedStorage, w.MaxAllocatedStorage)
	}
	checkIDs(&errs, "subnetIds", w.SubnetIDs, subnetID, "subnet-", 2,
		"private subnets in at least two availability zones are required (an RDS subnet group and Multi-AZ need two zones)")
	checkIDs(&errs, "securityGroupIds", w.SecurityGroupIDs, securityGroup, "sg-", 1,
		"at least one security group is required (the only way in is through it)")
	if w.KMSKeyID != "" && !kmsKeyARN.MatchString(w.KMSKeyID) {
		errs.Add("kmsKeyId", "must be a KMS key ARN, got %q", w.KMSKeyID)
	}
	if strings.TrimSpace(w.CABundle) == "" {
		errs.Add("caBundle", "is required: the PEM of the RDS CA bundle, so the portal verifies the server")
	} else if !strings.Contains(w.CABundle, "-----BEGIN CERTIFICATE-----") || !strings.Contains(w.CABundle, "-----END CERTIFICATE-----") {
		errs.Add("caBundle", "must be PEM certificates (-----BEGIN CERTIFICATE-----)")
	}
	if !validate.OneOf(w.CACertIdentifier, rdsCACerts...) {
		errs.Add("caCertIdentifier", "must be one of %s, got %q", strings.Join(rdsCACerts, ", "), w.CACertIdentifier)
	}
	if w.MonitoringRoleARN != "" && !validate.IAMRoleARN(w.MonitoringRoleARN) {
		errs.Add("monitoringRoleArn", "must be an IAM role ARN, got %q", w.MonitoringRoleARN)
	}
	return errs.Err()
}

func checkRole(errs *validate.Errors, path, v string) {
	switch {
	case !pgIdent.MatchString(v):
		errs.Add(path, "must start with a lower-case letter and hold only lower-case letters, digits and underscores (at most 63), got %q", v)
	case reservedRoles[v] || strings.HasPrefix(v, "pg_") || strings.HasPrefix(v, "rds_") || strings.HasPrefix(v, "cloudsql"):
		errs.Add(path, "%q is reserved by PostgreSQL or the cloud", v)
	}
}

func checkLabels(errs *validate.Errors, labels map[string]string) {
	if len(labels) > 50 {
		errs.Add("labels", "at most 50 labels, got %d", len(labels))
	}
	// Sorted, so the same configuration reports its problems in the same order every run.
	keys := slices.Sorted(maps.Keys(labels))
	for _, k := range keys {
		v := labels[k]
		if !validate.GCPLabelKey(k) {
			errs.Add("labels."+k, "key must start with a lower-case letter and hold lower-case letters, digits, '_' or '-' (at most 63)")
		}
		// Label values are readable by anyone who can list the instance: the value is never
		// echoed, and one shaped like a credential is refused even when its syntax is valid.
		if !validate.GCPLabelValue(v) {
			errs.Add("labels."+k, "value must hold lower-case letters, digits, '_' or '-' (at most 63)")
		} else {
			validate.ShapeOnly(errs, "labels."+k, v)
		}
	}
}

func checkIDs(errs *validate.Errors, path string, ids []string, re *regexp.Regexp, prefix string, least int, why string) {
	if len(ids) < least {
		errs.Add(path, "%s; got %d", why, len(ids))
	}
	seen := map[string]bool{}
	for i, id := range ids {
		switch {
		case !re.MatchString(id):
			errs.Add(validate.Index(path, i), "must be an ID like %s0123456789abcdef0, got %q", prefix, id)
		case seen[id]:
			errs.Add(validate.Index(path, i), "duplicate %q", id)
		}
		seen[id] = true
	}
}

// checkTier validates the shape of a Cloud SQL PostgreSQL tier and reports whether it is usable.
func checkTier(errs *validate.Errors, tier string) bool {
	if sharedCore(tier) {
		return true
	}
	if m := perfTier.FindStringSubmatch(tier); m != nil {
		if n, _ := strconv.Atoi(m[1]); n < 2 || n%2 != 0 {
			errs.Add("tier", "db-perf-optimized-N-<vCPUs> needs an even vCPU count of at least 2, got %q", tier)
			return false
		}
		return true
	}
	m := customTier.FindStringSubmatch(tier)
	if m == nil {
		errs.Add("tier", "must be db-custom-<vCPUs>-<MiB>, db-perf-optimized-N-<vCPUs>, db-f1-micro or db-g1-small, got %q", tier)
		return false
	}
	cpus, _ := strconv.Atoi(m[1])
	mem, _ := strconv.Atoi(m[2])
	ok := true
	if cpus < 1 || cpus > 96 || (cpus > 1 && cpus%2 != 0) {
		errs.Add("tier", "vCPUs must be 1 or an even number up to 96, got %q", tier)
		ok = false
	}
	// Cloud SQL custom machines: 0.9-6.5 GiB per vCPU, a multiple of 256 MiB, at least 3840 MiB.
	if mem%256 != 0 || mem < 3840 || (cpus > 0 && (mem*10 < cpus*9*1024 || mem*10 > cpus*65*1024)) {
		errs.Add("tier", "memory must be a multiple of 256 MiB, at least 3840 MiB and 0.9-6.5 GiB per vCPU, got %q", tier)
		ok = false
	}
	return ok
}

func sharedCore(tier string) bool { return tier == "db-f1-micro" || tier == "db-g1-small" }

func editionForTier(tier string) string {
	if strings.HasPrefix(tier, "db-perf-optimized-") {
		return EditionEnterprisePlus
	}
	return EditionEnterprise
}

// maxTransactionLogDays is the PITR log window limit of an edition (or its default when
// asDefault: Cloud SQL's own default of 14 days on ENTERPRISE_PLUS).
func maxTransactionLogDays(edition string, asDefault bool) int {
	if edition != EditionEnterprisePlus {
		return 7
	}
	if asDefault {
		return 14
	}
	return 35
}
