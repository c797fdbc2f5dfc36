package access

import (
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// TeamSlug is the slug GitHub gives a tenant's team, which the organisation sync turns into
// the catalog Group "group:default/<slug>". Tenant names are DNS labels, already slugs.
func TeamSlug(tenant string) string { return tenant }

// TeamURL is the team's page, where organisation members ask to join it.
func TeamURL(org, tenant string) string {
	return "https://github.com/orgs/" + org + "/teams/" + TeamSlug(tenant)
}

// tenantTeam creates the tenant's "closed" team (visible to the organisation, so members can
// request to join), nested under the parent tenant's team when there is one, with the
// configured maintainers and the tenant's repositories granted.
func tenantTeam(ctx *pulumi.Context, name string, t Tenant, a Args, parentTeam *gh.Team, parent pulumi.Resource) (*gh.Team, error) {
	prefix := name + "-" + t.Name + "-team"
	teamArgs := &gh.TeamArgs{
		Name:        pulumi.String(t.Name),
		Description: pulumi.String(t.Description),
		Privacy:     pulumi.String("closed"),
	}
	if parentTeam != nil {
		teamArgs.ParentTeamId = parentTeam.ID().ToStringOutput()
	}
	team, err := gh.NewTeam(ctx, prefix, teamArgs, childOptions(parent)...)
	if err != nil {
		return nil, err
	}
	teamID := team.ID().ToStringOutput()
	// Child names put "." between the team and the user or repository: neither a tenant name
	// nor a username can contain one, so two tenants' children never collide.
	for _, user := range a.GitHubTeams.Maintainers {
		if _, err := gh.NewTeamMembership(ctx, prefix+"."+user, &gh.TeamMembershipArgs{
			TeamId:   teamID,
			Username: pulumi.String(user),
			Role:     pulumi.String("maintainer"),
		}, childOptions(parent)...); err != nil {
			return nil, err
		}
	}
	for _, raw := range t.Repos {
		r, err := ParseRepoURL(raw)
		if err != nil {
			return nil, err
		}
		if _, err := gh.NewTeamRepository(ctx, prefix+"."+r.Name, &gh.TeamRepositoryArgs{
			TeamId:     teamID,
			Repository: pulumi.String(r.Name),
			Permission: pulumi.String(a.GitHubTeams.Permission),
		}, childOptions(parent)...); err != nil {
			return nil, err
		}
	}
	return team, nil
}
