package github

import "strings"

// Default values applied by WithDefaults.
const (
	DefaultRepositoryName        = "developer-portal"
	DefaultRequiredStatusCheck   = "test"
	DefaultCatalogPath           = "/catalog-info.yaml"
	DefaultDiscoveryFrequency    = 30
	DefaultDiscoveryTimeout      = 3
	DefaultOrgSyncFrequency      = 60
	DefaultOrgSyncTimeout        = 15
	DefaultGCPProviderID         = "github-actions"
	DefaultDependabotInterval    = "weekly"
	DefaultDockerDirectory       = "/app"
	DefaultNPMDirectory          = "/app"
	defaultBypassActorType       = "Integration"
	defaultBypassMode            = "always"
	organizationAdminActorID     = 1
	gcpPoolIDMaxLength           = 32
	gcpServiceAccountIDMaxLength = 30
)

// WithDefaults returns a copy of the Args with every default applied; the caller's Args (and
// the slices it holds) are never modified.
func (a Args) WithDefaults() Args {
	// a is changed below; in keeps the caller's values (and slices) to read from.
	in := a
	a.CodeOwners = clone(in.CodeOwners)
	a.Repository.Manage = boolPtr(orTrue(in.Repository.Manage))
	a.Repository.Protect = boolPtr(orTrue(in.Repository.Protect))
	if a.Repository.Name == "" {
		a.Repository.Name = DefaultRepositoryName
	}
	if a.Protection.RequiredApprovals == 0 {
		a.Protection.RequiredApprovals = 1
	}
	a.Protection.RequiredStatusChecks = clone(in.Protection.RequiredStatusChecks)
	if len(a.Protection.RequiredStatusChecks) == 0 {
		a.Protection.RequiredStatusChecks = []string{DefaultRequiredStatusCheck}
	}
	a.Protection.BypassActors = nil
	for _, b := range in.Protection.BypassActors {
		if b.ActorType == "" {
			b.ActorType = defaultBypassActorType
		}
		if b.BypassMode == "" {
			b.BypassMode = defaultBypassMode
		}
		if b.ActorType == "OrganizationAdmin" && b.ActorID == 0 {
			b.ActorID = organizationAdminActorID
		}
		a.Protection.BypassActors = append(a.Protection.BypassActors, b)
	}
	a.App.AllowedInstallationOwners = clone(in.App.AllowedInstallationOwners)
	if len(a.App.AllowedInstallationOwners) == 0 && a.Organization != "" {
		a.App.AllowedInstallationOwners = []string{a.Organization}
	}
	if a.Discovery.CatalogPath == "" {
		a.Discovery.CatalogPath = DefaultCatalogPath
	}
	a.Discovery.FrequencyMinutes = intOr(a.Discovery.FrequencyMinutes, DefaultDiscoveryFrequency)
	a.Discovery.TimeoutMinutes = intOr(a.Discovery.TimeoutMinutes, DefaultDiscoveryTimeout)
	a.OrgSync.Enabled = boolPtr(orTrue(in.OrgSync.Enabled))
	a.OrgSync.FrequencyMinutes = intOr(a.OrgSync.FrequencyMinutes, DefaultOrgSyncFrequency)
	a.OrgSync.TimeoutMinutes = intOr(a.OrgSync.TimeoutMinutes, DefaultOrgSyncTimeout)
	a.SignIn.Enabled = boolPtr(orTrue(in.SignIn.Enabled))
	if in.OIDC.GCP != nil {
		g := *in.OIDC.GCP
		if g.PoolID == "" {
			g.PoolID = derivedID("github-"+a.Repository.Name, "", gcpPoolIDMaxLength)
		}
		if g.ProviderID == "" {
			g.ProviderID = DefaultGCPProviderID
		}
		if g.ServiceAccountID == "" {
			g.ServiceAccountID = derivedID(a.Repository.Name, "-ci", gcpServiceAccountIDMaxLength)
		}
		if g.DeployServiceAccountID == "" {
			g.DeployServiceAccountID = derivedID(a.Repository.Name, "-deploy", gcpServiceAccountIDMaxLength)
		}
		a.OIDC.GCP = &g
	}
	if in.OIDC.AWS != nil {
		w := *in.OIDC.AWS
		a.OIDC.AWS = &w
	}
	a.Files.Manage = boolPtr(orTrue(in.Files.Manage))
	a.Files.Directory = strings.TrimSuffix(in.Files.Directory, "/")
	if in.Variables != nil {
		a.Variables = make(map[string]string, len(in.Variables))
		for k, v := range in.Variables {
			a.Variables[k] = v
		}
	}
	if a.DependencyUpdates.Interval == "" {
		a.DependencyUpdates.Interval = DefaultDependabotInterval
	}
	if a.DependencyUpdates.DockerDirectory == "" {
		a.DependencyUpdates.DockerDirectory = DefaultDockerDirectory
	}
	if a.DependencyUpdates.NPMDirectory == "" {
		a.DependencyUpdates.NPMDirectory = DefaultNPMDirectory
	}
	return a
}

// FullName is "<organization>/<repository>" after defaults.
func (a *Args) FullName() string {
	if a == nil {
		return ""
	}
	d := a.WithDefaults()
	return d.Organization + "/" + d.Repository.Name
}

// derivedID turns a repository name into a GCP resource ID: lower case, [a-z0-9-], cut so the
// suffix fits within limit, no trailing hyphen. Validation reports an ID that is still invalid.
func derivedID(base, suffix string, limit int) string {
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	s := b.String()
	if len(s) > limit-len(suffix) {
		s = s[:limit-len(suffix)]
	}
	return strings.TrimRight(s, "-") + suffix
}

func (a *Args) managed() bool            { return orTrue(a.Repository.Manage) }
func (a *Args) filesManaged() bool       { return orTrue(a.Files.Manage) }
func (a *Args) writesFiles() bool        { return a.managed() || a.filesManaged() }
func (a *Args) previewEnvironment() bool { return orTrue(a.PreviewEnvironment) }

func (a *Args) writesVariables() bool {
	return a.OIDC.Cloud != "" || len(a.Variables) > 0 || a.EnvironmentReviewers != nil
}
func (a *Args) appMode() bool        { return a.App.AppID != "" || a.AppPrivateKey != nil }
func (a *Args) tokenMode() bool      { return a.Token != nil }
func (a *Args) signInEnabled() bool  { return orTrue(a.SignIn.Enabled) }
func (a *Args) orgSyncEnabled() bool { return orTrue(a.OrgSync.Enabled) }
func (a *Args) filesOnDefault() bool { return a.Files.Branch == "" }

// orTrue is *p, or true when p is unset: every optional switch of the component defaults to on.
func orTrue(p *bool) bool {
	if p == nil {
		return true
	}
	return *p
}

func boolPtr(b bool) *bool { return &b }

func intOr(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func clone(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

// NeedsGitHubProvider reports whether the component registers GitHub resources (it does when
// it manages the repository, writes files or writes environment variables), so the program
// knows whether to pass a GitHub provider.
func (a *Args) NeedsGitHubProvider() bool {
	return a != nil && (a.writesFiles() || a.writesVariables())
}

// DiscoveredKinds are the entity kinds a repository's own catalog file may hold (catalog.rules,
// which apply to every location; the portal's own files add their kinds per location).
// Without the rule Backstage keeps only Component, API and Location, rejecting a discovered
// Resource. Left out on purpose: System, Domain, Group and User, which the platform generates
// (tenancies) or syncs from the organisation, so a discovered file can neither take a
// tenancy's ref nor forge a team and its members; and Template, which would let any
// repository publish a software template.
func DiscoveredKinds() []string { return []string{"API", "Component", "Location", "Resource"} }
