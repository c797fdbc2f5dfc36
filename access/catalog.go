package access

import (
	"strings"

	"github.com/coreeng/developer-portal/backstage"
)

// ContributionName names this component's contribution (and its catalog file) in the portal.
const ContributionName = "tenants"

type systemSpec struct {
	Owner string `yaml:"owner" json:"owner"`
}

type groupSpec struct {
	Type     string        `yaml:"type" json:"type"`
	Profile  *groupProfile `yaml:"profile,omitempty" json:"profile,omitempty"`
	Parent   string        `yaml:"parent,omitempty" json:"parent,omitempty"`
	Children []string      `yaml:"children" json:"children"`
}

type groupProfile struct {
	DisplayName string `yaml:"displayName,omitempty" json:"displayName,omitempty"`
	Email       string `yaml:"email,omitempty" json:"email,omitempty"`
}

// Annotations of a tenant's System that the portal's tenancy page reads (app/packages/app/src/
// tenancy): where the tenant is provisioned and which directory groups hold its cluster
// access. The parent is LabelParent, the namespace label, under the same key.
const (
	// AnnotationEnvironments lists the tenant's environments, comma-separated, in file order.
	AnnotationEnvironments = "coreplatform.cecg.io/environments"
	// AnnotationAdminGroup and AnnotationReadonlyGroup are the groups bound to the namespace's
	// admin and view roles.
	AnnotationAdminGroup    = "coreplatform.cecg.io/admin-group"
	AnnotationReadonlyGroup = "coreplatform.cecg.io/readonly-group"
	// AnnotationTeamMaintainers lists, comma-separated, the GitHub users who approve requests
	// to join the tenant's team (githubTeams.maintainers); set only when teams are in GitHub.
	AnnotationTeamMaintainers = "coreplatform.cecg.io/team-maintainers"
)

// OwnerRef is the catalog owner of a tenant's entities: the group of its team.
func OwnerRef(tenant string) string { return "group:default/" + TeamSlug(tenant) }

// Contribution is what TenantAccess hands the portal, computed from the same args without
// registering anything: a System per tenant in this environment owned by its team's group,
// linking the tenant's repositories and finding its workloads by the tenant label, Group
// entities only when teams are not managed in GitHub (otherwise the organisation sync provides
// them), and the "Request a tenancy" template with its skeleton. They travel as a live
// catalog (Parts), so a tenancy change reaches the running portal without a restart. Nothing in it is
// secret. None of these kinds may come from a repository's own catalog-info.yaml
// (github.DiscoveredKinds), so no discovered entity can take the ref of a generated one.
func Contribution(args *Args) (backstage.Contribution, error) {
	p, err := args.resolve()
	if err != nil {
		return backstage.Contribution{}, err
	}
	tmpl, skeleton, err := requestTemplate(p)
	if err != nil {
		return backstage.Contribution{}, err
	}
	// A live catalog (backstage.Contribution.Parts): part 0 is the request template, which lists
	// every tenant's name, with its skeleton; part 1+i holds shard i's tenants, so the number of
	// parts changes only with the number of shards, and each part's ConfigMap stays under the
	// API server's 1 MiB limit as long as its shard does.
	parts := make([]backstage.CatalogPart, 1+max(p.args.Shard.Count, 1))
	parts[0] = backstage.CatalogPart{Entities: []backstage.Entity{tmpl}, Files: map[string]string{SkeletonPath: skeleton}}
	for i, t := range p.here {
		part := &parts[1+p.hereShard[i]]
		part.Entities = append(part.Entities, tenantEntities(p, t)...)
	}
	return backstage.Contribution{Name: ContributionName, Parts: parts}, nil
}

func tenantEntities(p *plan, t Tenant) []backstage.Entity {
	owner := OwnerRef(t.Name)
	system := backstage.Entity{
		APIVersion: "backstage.io/v1alpha1",
		Kind:       "System",
		Metadata: backstage.Metadata{
			Name:        t.Name,
			Description: t.Description,
			Annotations: map[string]string{
				AnnotationContact: t.ContactEmail,
				// The System's Kubernetes view: what the tenant labels tenant=<name> in its
				// namespace.
				backstage.AnnotationKubernetesLabelSelector: LabelTenant + "=" + t.Name,
				backstage.AnnotationKubernetesNamespace:     t.Name,
				AnnotationEnvironments:                      strings.Join(t.Environments, ","),
				AnnotationAdminGroup:                        t.AdminGroup,
				AnnotationReadonlyGroup:                     t.ReadonlyGroup,
				LabelParent:                                 t.Parent,
				// The definition file, where Backstage's "View source" and "Edit" lead.
				backstage.AnnotationViewURL: definitionURL(p, t, "blob"),
				backstage.AnnotationEditURL: definitionURL(p, t, "edit"),
			},
			Tags:  []string{"tenant"},
			Links: []backstage.Link{{URL: "mailto:" + t.ContactEmail, Title: "Contact the tenant", Icon: "email"}},
		},
		Spec: systemSpec{Owner: owner},
	}
	if t.CostCentre != "" {
		system.Metadata.Annotations[AnnotationCostCentre] = t.CostCentre
	}
	if p.args.TeamsInGitHub() {
		// Joining an existing tenancy is GitHub's own request to join the team.
		system.Metadata.Links = append(system.Metadata.Links, backstage.Link{
			URL: TeamURL(p.args.Organization, t.Name), Title: "Request to join this tenancy", Icon: "group",
		})
		if m := p.args.GitHubTeams.Maintainers; len(m) > 0 {
			system.Metadata.Annotations[AnnotationTeamMaintainers] = strings.Join(m, ",")
		}
	}
	// No entity per repository: a generated Component named after the repository would take
	// the ref of the Component the repository's own catalog-info.yaml declares, and Backstage
	// rejects the second claimant. The repositories are links of the System instead, and
	// their own entities join it with spec.system (docs/tenants/services-in-portal.md).
	for _, raw := range t.Repos {
		r, err := ParseRepoURL(raw)
		if err != nil {
			continue // unreachable: validated
		}
		system.Metadata.Links = append(system.Metadata.Links, backstage.Link{
			URL: "https://github.com/" + r.Slug(), Title: "Repository " + r.Slug(), Icon: "github",
		})
	}
	out := []backstage.Entity{system}
	if !p.args.TeamsInGitHub() {
		g := groupSpec{
			Type:     "team",
			Profile:  &groupProfile{DisplayName: t.Name, Email: t.AdminGroup},
			Children: []string{},
		}
		if i, ok := p.byName[t.Parent]; ok && p.tenants[i].InEnvironment(p.args.Environment) {
			g.Parent = OwnerRef(t.Parent)
		}
		out = append(out, backstage.Entity{
			APIVersion: "backstage.io/v1alpha1",
			Kind:       "Group",
			Metadata:   backstage.Metadata{Name: TeamSlug(t.Name), Description: t.Description},
			Spec:       g,
		})
	}
	return out
}

// definitionURL is the tenant's file in the tenants repository on GitHub, as view ("blob") or
// edit page: the file that, once merged, provisions the tenant.
func definitionURL(p *plan, t Tenant, view string) string {
	a := p.args // defaulted by resolve
	return "https://github.com/" + p.repo.Slug() + "/" + view + "/" + a.Requests.TargetBranch + "/" +
		strings.Trim(a.Requests.Path, "/") + "/" + t.Name + ".yaml"
}
