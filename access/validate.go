package access

import (
	"errors"
	"hash/fnv"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/internal/validate"
)

// resourceName is a ResourceQuota key ("requests.nvidia.com/gpu", "count/jobs.batch").
var resourceName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9./]*[a-z0-9])?$`)

// plan is the validated, defaulted view of Args the constructor and Contribution build from.
type plan struct {
	args    Args
	tenants []Tenant       // every definition, in load order
	byName  map[string]int // tenant name → index in tenants
	here    []Tenant       // tenants in this environment, parents before children
	// hereShard is the shard of each of here (0 when the tenants are not sharded).
	hereShard []int
	// provisioned are the tenants in this environment whose namespaces this stack creates:
	// here, or with tenants.shard its shard's part of it. The catalog lists all of here.
	provisioned []Tenant
	teams       []Tenant // tenants whose GitHub team this stack creates, parents before children
	repo        Repo     // the tenants repository
}

// Validate checks the args and the tenant definitions (loading them from Dir when Tenants is
// nil), returning every problem at once as a *validate.Errors. It registers nothing.
func (a *Args) Validate() error { return a.validate() }

func (a *Args) validate() error {
	_, err := a.resolve()
	return err
}

// resolve validates everything and returns the plan; nothing is registered before it succeeds.
func (a *Args) resolve() (*plan, error) {
	if a == nil {
		return nil, errors.New("tenant access: args are required")
	}
	args := a.WithDefaults()
	var errs validate.Errors

	knownEnv := map[string]bool{}
	if len(args.Environments) == 0 {
		errs.Add("environments", "at least one environment name is required (e.g. gcp-dev)")
	}
	for i, e := range args.Environments {
		p := validate.Index("environments", i)
		switch {
		case !validate.DNSLabel(e):
			errs.Add(p, "%q is not a DNS label", e)
		case knownEnv[e]:
			errs.Add(p, "%q is listed twice", e)
		}
		knownEnv[e] = true
	}
	switch {
	case args.Environment == "":
		errs.Add("environment", "this stack's environment is required")
	case len(args.Environments) > 0 && !knownEnv[args.Environment]:
		errs.Add("environment", "%q is not one of environments (%s)", args.Environment, strings.Join(args.Environments, ", "))
	}
	if args.Organization != "" && !validate.GitHubOwner(args.Organization) {
		errs.Add("organization", "%q is not a GitHub organisation name", args.Organization)
	}
	if !validate.OneOf(args.PodSecurity, "privileged", "baseline", "restricted") {
		errs.Add("podSecurity", "%q must be privileged, baseline or restricted", args.PodSecurity)
	}
	validateQuota(&errs, args.Quota)
	validateLimitRange(&errs, args.LimitRange)
	validateIsolation(&errs, args.Isolation)
	validateTeams(&errs, args)
	repo := validateRequests(&errs, args.Requests)
	validateShard(&errs, args.Shard)

	tenants := args.Tenants
	if tenants == nil {
		loaded, err := LoadTenants(args.Dir)
		if err != nil {
			var nested *validate.Errors
			if errors.As(err, &nested) {
				errs.Merge("", err)
			} else {
				errs.Add("dir", "%v", err)
			}
		}
		tenants = loaded
	}
	errs.Merge("", ValidateTenants(tenants, args.Environments))
	if len(tenants) == 0 && !args.AllowNoTenants && errs.Err() == nil {
		errs.Add("dir", "%q holds no tenant definition (<name>.yaml): zero tenants would remove every tenant's access; "+
			"check the path, or set allowNoTenants: true", args.Dir)
	}
	for i, t := range tenants {
		if why := args.reservedNamespace(t.Name); why != "" {
			errs.Add(field(t, i, "name"), "%q %s: a tenant's namespace would give its group admin there; rename the tenant", t.Name, why)
		}
		if strings.EqualFold(TeamSlug(t.Name), args.AdminGroup) {
			errs.Add(field(t, i, "name"), "%q is the portal's admin group: the tenant's team and Group would take its name; rename the tenant", t.Name)
		}
		for k, raw := range t.Repos {
			r, err := ParseRepoURL(raw)
			if err != nil {
				continue
			}
			for _, owned := range []struct{ slug, what string }{{args.PortalRepository, "the portal's own repository"}, {args.Requests.Repository, "the tenants repository"}} {
				if owned.slug != "" && strings.EqualFold(r.Slug(), owned.slug) {
					errs.Add(field(t, i, validate.Index("repos", k)), "%s is %s: the tenant's team would be granted it", r.Slug(), owned.what)
				}
			}
		}
		if !args.TeamsInGitHub() || args.Organization == "" {
			continue
		}
		for k, raw := range t.Repos {
			if r, err := ParseRepoURL(raw); err == nil && !strings.EqualFold(r.Owner, args.Organization) {
				errs.Add(field(t, i, validate.Index("repos", k)),
					"repository %s is outside the organisation %s, so its team cannot be granted it", r.Slug(), args.Organization)
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}

	p := &plan{args: args, tenants: tenants, byName: make(map[string]int, len(tenants)), repo: repo}
	for i, t := range tenants {
		p.byName[t.Name] = i
	}
	ordered := make([]int, len(tenants))
	for i := range ordered {
		ordered[i] = i
	}
	depth := depths(tenants, p.byName)
	sort.Slice(ordered, func(x, y int) bool {
		i, j := ordered[x], ordered[y]
		if depth[i] != depth[j] {
			return depth[i] < depth[j]
		}
		return tenants[i].Name < tenants[j].Name
	})
	for _, i := range ordered {
		t := tenants[i]
		inEnv := t.InEnvironment(args.Environment)
		shard := 0
		if args.Shard.Sharded() {
			shard = shardOf(tenants, p.byName, i, args.Shard.Count)
		}
		if inEnv {
			p.here = append(p.here, t)
			p.hereShard = append(p.hereShard, shard)
		}
		if shard != args.Shard.Index {
			continue
		}
		if inEnv {
			p.provisioned = append(p.provisioned, t)
		}
		if args.ManageTeams() && (inEnv || args.GitHubTeams.AllEnvironments) {
			p.teams = append(p.teams, t)
		}
	}
	return p, nil
}

func validateShard(errs *validate.Errors, s Shard) {
	switch {
	case s.Count < 0:
		errs.Add("shard.count", "%d must be 0 or more (0 and 1: this stack provisions every tenant)", s.Count)
	case s.Index < 0 || s.Index >= max(s.Count, 1):
		errs.Add("shard.index", "%d must be from 0 to shard.count-1 (%d)", s.Index, max(s.Count, 1)-1)
	}
}

// shardOf is the shard of tenants[i]: its top-level ancestor's name hashed (FNV-1a) modulo
// count. The hash of a name never changes, so adding a tenant never moves another one, and
// a tree of tenants (a team and its parent team) stays in one stack. Parents are validated:
// they exist and form no cycle.
func shardOf(tenants []Tenant, byName map[string]int, i, count int) int {
	for hops := 0; tenants[i].Parent != RootParent && hops < len(tenants); hops++ {
		i = byName[tenants[i].Parent]
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(tenants[i].Name))
	return int(h.Sum32() % uint32(count))
}

func validateQuota(errs *validate.Errors, q Quota) {
	for _, f := range []struct{ path, value string }{
		{"quota.requestsCpu", q.RequestsCPU}, {"quota.requestsMemory", q.RequestsMemory},
		{"quota.limitsCpu", q.LimitsCPU}, {"quota.limitsMemory", q.LimitsMemory},
		{"quota.requestsStorage", q.RequestsStorage}, {"quota.pods", q.Pods},
		{"quota.services", q.Services}, {"quota.persistentVolumeClaims", q.PersistentVolumeClaims},
		{"quota.servicesLoadBalancers", q.ServicesLoadBalancers}, {"quota.servicesNodePorts", q.ServicesNodePorts},
	} {
		checkQuantity(errs, f.path, f.value)
	}
	for _, k := range slices.Sorted(maps.Keys(q.Extra)) {
		p := "quota.extra." + k
		if !resourceName.MatchString(k) {
			errs.Add(p, "%q is not a resource name", k)
			continue
		}
		if _, builtin := quotaKeys[k]; builtin {
			errs.Add(p, "%q has its own setting", k)
			continue
		}
		checkQuantity(errs, p, q.Extra[k])
	}
}

func validateLimitRange(errs *validate.Errors, l LimitRange) {
	for _, f := range []struct{ path, value string }{
		{"limitRange.defaultCpu", l.DefaultCPU}, {"limitRange.defaultMemory", l.DefaultMemory},
		{"limitRange.defaultRequestCpu", l.DefaultRequestCPU}, {"limitRange.defaultRequestMemory", l.DefaultRequestMemory},
		{"limitRange.maxCpu", l.MaxCPU}, {"limitRange.maxMemory", l.MaxMemory},
	} {
		checkQuantity(errs, f.path, f.value)
	}
	// The API server refuses a LimitRange whose default (or default request) exceeds its
	// max, or whose default request exceeds its default.
	for _, c := range []struct{ small, large, smallV, largeV string }{
		{"limitRange.defaultCpu", "limitRange.maxCpu", l.DefaultCPU, l.MaxCPU},
		{"limitRange.defaultMemory", "limitRange.maxMemory", l.DefaultMemory, l.MaxMemory},
		{"limitRange.defaultRequestCpu", "limitRange.defaultCpu", l.DefaultRequestCPU, l.DefaultCPU},
		{"limitRange.defaultRequestMemory", "limitRange.defaultMemory", l.DefaultRequestMemory, l.DefaultMemory},
		{"limitRange.defaultRequestCpu", "limitRange.maxCpu", l.DefaultRequestCPU, l.MaxCPU},
		{"limitRange.defaultRequestMemory", "limitRange.maxMemory", l.DefaultRequestMemory, l.MaxMemory},
	} {
		small, ok1 := validate.QuantityValue(c.smallV)
		large, ok2 := validate.QuantityValue(c.largeV)
		if ok1 && ok2 && small > large {
			errs.Add(c.small, "%q is more than %s %q: the API server would refuse the LimitRange", c.smallV, c.large, c.largeV)
		}
	}
}

func checkQuantity(errs *validate.Errors, path, value string) {
	if !validate.Quantity(value) {
		errs.Add(path, "%q is not a Kubernetes quantity (e.g. 500m, 2, 8Gi)", value)
	}
}

func validateIsolation(errs *validate.Errors, iso Isolation) {
	if !validate.DNSLabel(iso.IngressNamespace) {
		errs.Add("isolation.ingressNamespace", "%q is not a namespace name", iso.IngressNamespace)
	}
	for i, ns := range iso.MonitoringNamespaces {
		if !validate.DNSLabel(ns) {
			errs.Add(validate.Index("isolation.monitoringNamespaces", i), "%q is not a namespace name", ns)
		}
	}
}

func validateTeams(errs *validate.Errors, args Args) {
	gt := args.GitHubTeams
	if !validate.OneOf(gt.Permission, "pull", "triage", "push", "maintain") {
		errs.Add("githubTeams.permission", "%q must be pull, triage, push or maintain (admin is refused: it lets a team lift branch protection)", gt.Permission)
	}
	seen := map[string]bool{}
	for i, m := range gt.Maintainers {
		p := validate.Index("githubTeams.maintainers", i)
		switch {
		case !validate.GitHubOwner(m):
			errs.Add(p, "%q is not a GitHub username", m)
		case seen[strings.ToLower(m)]:
			errs.Add(p, "%q is listed twice", m)
		}
		seen[strings.ToLower(m)] = true
	}
	if args.TeamsInGitHub() && args.Organization == "" {
		errs.Add("organization", "the GitHub organisation is required when tenant teams are in GitHub (githubTeams.manage or managedElsewhere)")
	}
	if args.ManageTeams() && args.GitHubTeams.ManagedElsewhere {
		errs.Add("githubTeams.managedElsewhere", "contradicts githubTeams.manage (default true): set manage: false in the stacks whose teams another stack creates")
	}
}

func validateRequests(errs *validate.Errors, r Requests) Repo {
	var repo Repo
	owner, name, ok := strings.Cut(r.Repository, "/")
	switch {
	case r.Repository == "":
		errs.Add("requests.repository", "the tenants repository (<owner>/<repo>) is required")
	case !ok || !validate.GitHubOwner(owner) || !validate.GitHubRepoName(name):
		errs.Add("requests.repository", "%q is not <owner>/<repo>", r.Repository)
	default:
		repo = Repo{Owner: owner, Name: name}
	}
	if !validate.GitBranch(r.TargetBranch) {
		errs.Add("requests.targetBranch", "is not a branch name git accepts (git check-ref-format --branch)")
	}
	clean := strings.Trim(r.Path, "/")
	if clean == "" || strings.HasPrefix(r.Path, "/") || strings.Contains(r.Path, "..") || strings.Contains(r.Path, "\\") {
		errs.Add("requests.path", "%q must be a relative folder inside the repository", r.Path)
	}
	if r.Owner != "" && !validate.EntityRef(r.Owner) {
		errs.Add("requests.owner", "%q is not an entity reference (e.g. group:default/platform-team)", r.Owner)
	}
	for i, t := range r.TeamReviewers {
		if !validate.DNSLabel(strings.ToLower(t)) {
			errs.Add(validate.Index("requests.teamReviewers", i), "%q is not a team slug", t)
		}
	}
	return repo
}
