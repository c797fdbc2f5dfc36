package github

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/validate"
)

var (
	appIDPattern       = regexp.MustCompile(`^[0-9]{1,12}$`)
	clientIDPattern    = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	codeOwnerPattern   = regexp.MustCompile(`^@[A-Za-z0-9](?:[A-Za-z0-9-]{0,37}[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?$`)
	gcpPoolIDPattern   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,30}[a-z0-9]$`)
	awsOIDCARNPattern  = regexp.MustCompile(`^arn:aws(?:-[a-z]+)*:iam::[0-9]{12}:oidc-provider/` + regexp.QuoteMeta(githubOIDCHost) + `$`)
	checkNamePattern   = regexp.MustCompile(`^[^\s].{0,254}$`)
	environmentPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$`)
	variablePattern    = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
	pathSegmentPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]*$`)
)

var (
	bypassActorTypes = []string{"Integration", "Team", "RepositoryRole", "OrganizationAdmin", "DeployKey"}
	bypassModes      = []string{"always", "pull_request", "exempt"}
	intervals        = []string{"daily", "weekly", "monthly"}
)

// Validate reports every problem of the configuration at once, each at its config path. It
// does not look at the generated files (AppConfigYAML, CatalogInfoYAML), which the program
// renders later: CheckGeneratedFiles does.
func (a *Args) Validate() error { return a.validate() }

func (a *Args) validate() error {
	if a == nil {
		return errors.New("github: args are required")
	}
	d := a.WithDefaults()
	var errs validate.Errors

	if d.Organization == "" {
		errs.Add("organization", "is required")
	} else if !validate.GitHubOwner(d.Organization) {
		errs.Add("organization", "%q is not a valid GitHub organisation name", d.Organization)
	}
	d.validateRepository(&errs)
	if d.managed() {
		d.validateProtection(&errs)
		d.validateDependencyUpdates(&errs)
	}
	if d.writesFiles() {
		d.validateFiles(&errs)
	}
	d.validateVariables(&errs)
	d.validateCredentials(&errs)
	d.validateCatalog(&errs)
	d.validateOIDC(&errs)
	return errs.Err()
}

func (a *Args) validateRepository(errs *validate.Errors) {
	if !validate.GitHubRepoName(a.Repository.Name) {
		errs.Add("repository.name", "%q is not a valid GitHub repository name", a.Repository.Name)
	}
	if t := a.Repository.Template; t != "" {
		owner, repo, ok := strings.Cut(t, "/")
		if !ok || !validate.GitHubOwner(owner) || !validate.GitHubRepoName(repo) {
			errs.Add("repository.template", "%q must be \"owner/repository\"", t)
		}
	}
	if len(a.Repository.Description) > 350 {
		errs.Add("repository.description", "must be at most 350 characters")
	}
}

func (a *Args) validateProtection(errs *validate.Errors) {
	p := a.Protection
	if p.RequiredApprovals < 1 || p.RequiredApprovals > 10 {
		errs.Add("protection.requiredApprovals", "must be between 1 and 10, got %d", p.RequiredApprovals)
	}
	seen := map[string]bool{}
	for i, c := range p.RequiredStatusChecks {
		path := validate.Index("protection.requiredStatusChecks", i)
		switch {
		case !checkNamePattern.MatchString(c):
			errs.Add(path, "%q is not a status check name", c)
		case seen[c]:
			errs.Add(path, "%q is listed twice", c)
		}
		seen[c] = true
	}
	canCommit := false
	for i, b := range p.BypassActors {
		path := validate.Index("protection.bypassActors", i)
		if !validate.OneOf(b.ActorType, bypassActorTypes...) {
			errs.Add(path+".actorType", "%q must be one of %s", b.ActorType, strings.Join(bypassActorTypes, ", "))
		}
		if !validate.OneOf(b.BypassMode, bypassModes...) {
			errs.Add(path+".bypassMode", "%q must be one of %s", b.BypassMode, strings.Join(bypassModes, ", "))
		}
		switch b.ActorType {
		case "Integration", "Team", "RepositoryRole":
			if b.ActorID <= 0 {
				errs.Add(path+".actorId", "is required for actorType %s", b.ActorType)
			}
		case "DeployKey":
			if b.ActorID != 0 {
				errs.Add(path+".actorId", "must not be set for actorType DeployKey")
			}
		}
		if b.BypassMode == "always" || b.BypassMode == "exempt" {
			canCommit = true
		}
	}
	if a.filesOnDefault() && !canCommit {
		errs.Add("protection.bypassActors", "the identity that runs pulumi must bypass the default branch ruleset "+
			"(e.g. {actorType: Integration, actorId: <its GitHub App ID>, bypassMode: always}) to commit the managed files; "+
			"or set files.branch to commit them on a branch merged by pull request")
	}
	if len(a.CodeOwners) == 0 {
		errs.Add("codeOwners", "is required when the repository is managed (e.g. [\"@%s/platform-team\"])", a.Organization)
	}
	for i, o := range a.CodeOwners {
		if !codeOwnerPattern.MatchString(o) && !validate.Email(o) {
			errs.Add(validate.Index("codeOwners", i), "%q must be @user, @org/team or an e-mail address", o)
		}
	}
}

func (a *Args) validateFiles(errs *validate.Errors) {
	f := a.Files
	if f.Branch != "" && !validBranch(f.Branch) {
		errs.Add("files.branch", "%q is not a valid branch name", f.Branch)
	}
	if (f.CommitAuthor == "") != (f.CommitEmail == "") {
		errs.Add("files.commitAuthor", "commitAuthor and commitEmail must be set together")
	}
	if f.CommitEmail != "" && !validate.Email(f.CommitEmail) {
		errs.Add("files.commitEmail", "%q is not an e-mail address", f.CommitEmail)
	}
	if a.filesManaged() && f.Directory != "" && !validDirectory(f.Directory) {
		errs.Add("files.directory", "%q must be a relative path inside the repository (e.g. environments/dev): "+
			"no leading /, no . or .. segments", f.Directory)
	}
}

func (a *Args) validateDependencyUpdates(errs *validate.Errors) {
	u := a.DependencyUpdates
	if !validate.OneOf(u.Interval, intervals...) {
		errs.Add("dependencyUpdates.interval", "%q must be one of %s", u.Interval, strings.Join(intervals, ", "))
	}
	for key, dir := range map[string]string{"dockerDirectory": u.DockerDirectory, "npmDirectory": u.NPMDirectory} {
		if !strings.HasPrefix(dir, "/") || strings.Contains(dir, "..") {
			errs.Add("dependencyUpdates."+key, "%q must be an absolute path inside the repository", dir)
		}
	}
	for i, dir := range u.GoDirectories {
		if !strings.HasPrefix(dir, "/") || strings.Contains(dir, "..") {
			errs.Add(validate.Index("dependencyUpdates.goDirectories", i), "%q must be an absolute path inside the repository", dir)
		}
	}
}

// validateVariables checks the environment-scoped Actions variables: every stack writes its
// own, so they need the environment they belong to.
func (a *Args) validateVariables(errs *validate.Errors) {
	if a.Environment != "" && !environmentPattern.MatchString(a.Environment) {
		errs.Add("environment", "%q must be 1-255 characters of A-Z, a-z, 0-9, ., _ and -", a.Environment)
	}
	if a.writesVariables() && a.Environment == "" {
		errs.Add("environment", "is required to write Actions variables (oidc.cloud or variables): "+
			"the stack's environment name, e.g. dev")
	}
	if r := a.EnvironmentReviewers; r != nil {
		if a.Environment == "" {
			errs.Add("environmentReviewers", "needs the stack's environment")
		}
		if len(r.Teams)+len(r.Users) == 0 {
			errs.Add("environmentReviewers", "names no team or user: remove it, or list who approves deployments")
		}
		for key, ids := range map[string][]int{"teams": r.Teams, "users": r.Users} {
			if len(ids) > 6 {
				errs.Add("environmentReviewers."+key, "GitHub accepts at most 6, got %d", len(ids))
			}
			for i, id := range ids {
				if id <= 0 {
					errs.Add(fmt.Sprintf("environmentReviewers.%s[%d]", key, i), "%d is not a GitHub ID", id)
				}
			}
		}
	}
	reserved := map[string]bool{}
	for _, n := range oidcVariableNames[a.OIDC.Cloud] {
		reserved[n] = true
	}
	names := slices.Sorted(maps.Keys(a.Variables))
	for _, n := range names {
		path := "variables." + n
		switch {
		case !variablePattern.MatchString(n):
			errs.Add(path, "%q must match ^[A-Z_][A-Z0-9_]*$", n)
		case strings.HasPrefix(n, "GITHUB_"):
			errs.Add(path, "names starting with GITHUB_ are reserved by GitHub")
		case reserved[n]:
			errs.Add(path, "is written by the %s OIDC federation", a.OIDC.Cloud)
		}
		if a.Variables[n] == "" {
			errs.Add(path, "must not be empty")
		}
		// Actions variables are readable by every workflow run, pull requests included.
		if validate.SecretKeyName(n) {
			errs.Add(path, "is named like a credential: Actions variables are readable by every workflow, pull requests included; keep credentials in an Actions secret or the OIDC federation")
		} else {
			validate.ShapeOnly(errs, path, a.Variables[n])
		}
	}
}

func (a *Args) validateCredentials(errs *validate.Errors) {
	app, token := a.appMode(), a.tokenMode()
	switch {
	case app && token:
		errs.Add("token", "set either the GitHub App (app.appId, appPrivateKey, appClientSecret) or a personal access token, not both")
	case !app && !token:
		errs.Add("app", "credentials are required: a GitHub App (app.appId, app.clientId, appPrivateKey, appClientSecret), "+
			"or a personal access token (token) for trials")
	case app:
		if a.App.AppID == "" {
			errs.Add("app.appId", "is required with GitHub App credentials")
		}
		if a.App.ClientID == "" {
			errs.Add("app.clientId", "is required with GitHub App credentials")
		}
		if a.AppPrivateKey == nil {
			errs.Add("appPrivateKey", "is required with GitHub App credentials")
		}
		if a.AppClientSecret == nil {
			errs.Add("appClientSecret", "is required with GitHub App credentials")
		}
		for i, o := range a.App.AllowedInstallationOwners {
			if !validate.GitHubOwner(o) {
				errs.Add(validate.Index("app.allowedInstallationOwners", i), "%q is not a valid GitHub owner", o)
			}
		}
	case token:
		if a.signInEnabled() && (a.App.ClientID == "" || a.AppClientSecret == nil) {
			errs.Add("signIn.enabled", "GitHub sign-in with a personal access token needs a GitHub OAuth App: "+
				"set app.clientId and appClientSecret, or set signIn.enabled to false")
		}
		if a.AppWebhookSecret != nil {
			errs.Add("appWebhookSecret", "is only used with GitHub App credentials")
		}
	}
	if a.App.AppID != "" && !appIDPattern.MatchString(a.App.AppID) {
		errs.Add("app.appId", "%q must be the App's numeric ID", a.App.AppID)
	}
	if a.App.ClientID != "" && !clientIDPattern.MatchString(a.App.ClientID) {
		errs.Add("app.clientId", "%q is not a client ID", a.App.ClientID)
	}
}

func (a *Args) validateCatalog(errs *validate.Errors) {
	disc := a.Discovery
	if !strings.HasPrefix(disc.CatalogPath, "/") {
		errs.Add("discovery.catalogPath", "%q must start with /", disc.CatalogPath)
	}
	if disc.Branch != "" && !validBranch(disc.Branch) {
		errs.Add("discovery.branch", "%q is not a valid branch name", disc.Branch)
	}
	if disc.RepositoryPattern != "" {
		if _, err := regexp.Compile(disc.RepositoryPattern); err != nil {
			errs.Add("discovery.repositoryPattern", "is not a regular expression: %v", err)
		}
	}
	validateSchedule(errs, "discovery", disc.FrequencyMinutes, disc.TimeoutMinutes)
	if a.orgSyncEnabled() {
		validateSchedule(errs, "orgSync", a.OrgSync.FrequencyMinutes, a.OrgSync.TimeoutMinutes)
	}
	if a.signInEnabled() && !a.orgSyncEnabled() {
		errs.Add("signIn.enabled", "sign-in matches GitHub users to the User entities org sync imports: enable orgSync or disable signIn")
	}
}

func validateSchedule(errs *validate.Errors, prefix string, frequency, timeout int) {
	if frequency < 1 {
		errs.Add(prefix+".frequencyMinutes", "must be at least 1, got %d", frequency)
	}
	if timeout < 1 {
		errs.Add(prefix+".timeoutMinutes", "must be at least 1, got %d", timeout)
	} else if frequency >= 1 && timeout > frequency {
		errs.Add(prefix+".timeoutMinutes", "must not exceed frequencyMinutes (%d)", frequency)
	}
}

func (a *Args) validateOIDC(errs *validate.Errors) {
	o := a.OIDC
	if !validate.OneOf(o.Cloud, "", cloud.GCP, cloud.AWS) {
		errs.Add("oidc.cloud", "%q must be gcp, aws or empty", o.Cloud)
		return
	}
	if o.Cloud != cloud.GCP && o.GCP != nil {
		errs.Add("oidc.gcp", "is only used with cloud gcp")
	}
	if o.Cloud != cloud.AWS && o.AWS != nil {
		errs.Add("oidc.aws", "is only used with cloud aws")
	}
	if o.Cloud == "" {
		return
	}
	switch o.Cloud {
	case cloud.GCP:
		g := o.GCP
		if g == nil || g.Project == "" {
			errs.Add("oidc.gcp.project", "is required with cloud gcp")
			return
		}
		if !validate.GCPProjectID(g.Project) {
			errs.Add("oidc.gcp.project", "%q is not a GCP project ID", g.Project)
		}
		if !gcpPoolIDPattern.MatchString(g.PoolID) || strings.HasPrefix(g.PoolID, "gcp-") {
			errs.Add("oidc.gcp.poolId", "%q must be 4-32 characters of a-z, 0-9 and -, not starting with gcp-", g.PoolID)
		}
		if !gcpPoolIDPattern.MatchString(g.ProviderID) || strings.HasPrefix(g.ProviderID, "gcp-") {
			errs.Add("oidc.gcp.providerId", "%q must be 4-32 characters of a-z, 0-9 and -, not starting with gcp-", g.ProviderID)
		}
		if !validate.GCPServiceAccountID(g.ServiceAccountID) {
			errs.Add("oidc.gcp.serviceAccountId", "%q must be 6-30 characters of a-z, 0-9 and -, starting with a letter", g.ServiceAccountID)
		}
		if !validate.GCPServiceAccountID(g.DeployServiceAccountID) {
			errs.Add("oidc.gcp.deployServiceAccountId", "%q must be 6-30 characters of a-z, 0-9 and -, starting with a letter", g.DeployServiceAccountID)
		} else if g.DeployServiceAccountID == g.ServiceAccountID {
			errs.Add("oidc.gcp.deployServiceAccountId", "%q is also serviceAccountId: the deploy and preview identities must be distinct", g.DeployServiceAccountID)
		}
		// The token subject becomes google.subject, which GCP caps.
		if sub := EnvironmentSubject(a.Organization+"/"+a.Repository.Name, PreviewEnvironmentName(a.Environment)); len(sub) > gcpSubjectMaxLength {
			errs.Add("oidc.gcp", "the token subject %q is longer than the %d characters GCP accepts as google.subject: shorten the repository or environment name", sub, gcpSubjectMaxLength)
		}
	case cloud.AWS:
		w := o.AWS
		if w == nil {
			return
		}
		if w.RoleName != "" && !validate.IAMRoleName(w.RoleName) {
			errs.Add("oidc.aws.roleName", "%q is not an IAM role name", w.RoleName)
		}
		if w.DeployRoleName != "" && !validate.IAMRoleName(w.DeployRoleName) {
			errs.Add("oidc.aws.deployRoleName", "%q is not an IAM role name", w.DeployRoleName)
		} else if w.DeployRoleName != "" && w.DeployRoleName == w.RoleName {
			errs.Add("oidc.aws.deployRoleName", "%q is also roleName: the deploy and preview identities must be distinct", w.DeployRoleName)
		}
		if w.OIDCProviderARN != "" && !awsOIDCARNPattern.MatchString(w.OIDCProviderARN) {
			errs.Add("oidc.aws.oidcProviderArn", "%q must be the ARN of the account's %s OIDC provider", w.OIDCProviderARN, githubOIDCHost)
		}
	}
}

// validBranch accepts git branch names and rejects wildcards, which would widen a trust
// condition or a file target beyond one branch.
func validBranch(b string) bool {
	if b == "" || len(b) > 255 || strings.HasPrefix(b, "/") || strings.HasSuffix(b, "/") ||
		strings.HasSuffix(b, ".lock") || strings.HasPrefix(b, "-") || strings.Contains(b, "..") ||
		strings.Contains(b, "//") || strings.Contains(b, "@{") {
		return false
	}
	for _, r := range b {
		if r <= ' ' || r == 0x7f || strings.ContainsRune("~^:?*[\\\"'", r) {
			return false
		}
	}
	return true
}

// validDirectory accepts a relative path of plain segments (none empty, none starting with a
// dot): it can neither leave the repository nor alias another environment's directory
// through . or ..
func validDirectory(dir string) bool {
	if len(dir) > 255 || strings.HasPrefix(dir, "/") {
		return false
	}
	for _, seg := range strings.Split(dir, "/") {
		if !pathSegmentPattern.MatchString(seg) {
			return false
		}
	}
	return true
}

// CheckGeneratedFiles checks the files the program renders (AppConfigYAML, CatalogInfoYAML):
// the environment's files keep the deployed configuration, so the program must hand it over,
// as YAML free of credentials. A program calls it in its validation pass, once it rendered
// them, so nothing is registered with files that would be refused; the constructor checks
// them again.
func CheckGeneratedFiles(args *Args) error {
	if args == nil {
		return errors.New("github: args are required")
	}
	return checkGeneratedFiles(new(args.WithDefaults()))
}

func checkGeneratedFiles(d *Args) error {
	if !d.filesManaged() {
		return nil
	}
	var errs validate.Errors
	if d.AppConfigYAML == "" {
		errs.Add("appConfigYAML", "is required when files.manage is true: pass the portal's rendered app-config")
	} else if err := checkAppConfigYAML(d.AppConfigYAML); err != nil {
		errs.Merge("appConfigYAML", err)
	}
	if d.CatalogInfoYAML == "" {
		errs.Add("catalogInfoYAML", "is required when files.manage is true: pass the portal's catalog-info.yaml")
	} else if err := checkCatalogInfoYAML(d.CatalogInfoYAML); err != nil {
		errs.Merge("catalogInfoYAML", err)
	}
	return errs.Err()
}

// describe is used in messages that must never echo a secret value.
func describe(what string, err error) error { return fmt.Errorf("%s: %w", what, err) }
