package github

import (
	"strings"

	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

const (
	rulesetName   = "default-branch"
	defaultBranch = "~DEFAULT_BRANCH"
)

type repository struct {
	resource *gh.Repository
	ruleset  *gh.RepositoryRuleset
	name     pulumi.StringOutput
	url      pulumi.StringOutput
}

// newRepository creates the private portal repository and the ruleset on its default branch.
func newRepository(ctx *pulumi.Context, name string, d *Args, parent pulumi.Resource) (*repository, error) {
	r := d.Repository
	repoArgs := &gh.RepositoryArgs{
		Name:                pulumi.String(r.Name),
		Visibility:          pulumi.String("private"),
		VulnerabilityAlerts: pulumi.Bool(true),
		DeleteBranchOnMerge: pulumi.Bool(true),
		// Destroying the stack must not erase the portal's history.
		ArchiveOnDestroy: pulumi.Bool(true),
		// The files need a default branch to land on; a template brings its own.
		AutoInit:    pulumi.Bool(r.Template == ""),
		HasIssues:   pulumi.Bool(true),
		HasWiki:     pulumi.Bool(false),
		HasProjects: pulumi.Bool(false),
	}
	if r.Description != "" {
		repoArgs.Description = pulumi.String(r.Description)
	}
	if r.Template != "" {
		owner, tmpl, _ := strings.Cut(r.Template, "/")
		repoArgs.Template = &gh.RepositoryTemplateArgs{Owner: pulumi.String(owner), Repository: pulumi.String(tmpl)}
	}
	if r.SecretScanning != nil {
		status := pulumi.String("disabled")
		if *r.SecretScanning {
			status = "enabled"
		}
		repoArgs.SecurityAndAnalysis = &gh.RepositorySecurityAndAnalysisArgs{
			SecretScanning:               &gh.RepositorySecurityAndAnalysisSecretScanningArgs{Status: status},
			SecretScanningPushProtection: &gh.RepositorySecurityAndAnalysisSecretScanningPushProtectionArgs{Status: status},
		}
	}
	repo, err := gh.NewRepository(ctx, name+"-repo", repoArgs,
		pulumi.Parent(parent),
		pulumi.Protect(orTrue(r.Protect)),
		// The template only seeds the repository: changing it later must not replace it.
		pulumi.IgnoreChanges([]string{"template"}))
	if err != nil {
		return nil, err
	}

	ruleset, err := gh.NewRepositoryRuleset(ctx, name+"-default-branch", rulesetArgs(d, repo.Name), pulumi.Parent(parent))
	if err != nil {
		return nil, err
	}
	return &repository{resource: repo, ruleset: ruleset, name: repo.Name, url: repo.HtmlUrl}, nil
}

// rulesetArgs protects the default branch for everyone, administrators included: changes
// arrive by reviewed, code-owner-approved pull requests with passing checks on an up-to-date
// branch; no force push, no deletion. Only the configured actors may bypass it.
func rulesetArgs(d *Args, repoName pulumi.StringInput) *gh.RepositoryRulesetArgs {
	p := d.Protection
	checks := gh.RepositoryRulesetRulesRequiredStatusChecksRequiredCheckArray{}
	for _, c := range p.RequiredStatusChecks {
		checks = append(checks, gh.RepositoryRulesetRulesRequiredStatusChecksRequiredCheckArgs{Context: pulumi.String(c)})
	}
	bypass := gh.RepositoryRulesetBypassActorArray{}
	for _, b := range p.BypassActors {
		actor := gh.RepositoryRulesetBypassActorArgs{ActorType: pulumi.String(b.ActorType), BypassMode: pulumi.String(b.BypassMode)}
		if b.ActorID != 0 {
			actor.ActorId = pulumi.Int(b.ActorID)
		}
		bypass = append(bypass, actor)
	}
	return &gh.RepositoryRulesetArgs{
		Name:         pulumi.String(rulesetName),
		Repository:   repoName,
		Target:       pulumi.String("branch"),
		Enforcement:  pulumi.String("active"),
		BypassActors: bypass,
		Conditions: &gh.RepositoryRulesetConditionsArgs{
			RefName: &gh.RepositoryRulesetConditionsRefNameArgs{
				Includes: pulumi.StringArray{pulumi.String(defaultBranch)},
				Excludes: pulumi.StringArray{},
			},
		},
		Rules: &gh.RepositoryRulesetRulesArgs{
			Deletion:       pulumi.Bool(true),
			NonFastForward: pulumi.Bool(true),
			PullRequest: &gh.RepositoryRulesetRulesPullRequestArgs{
				RequiredApprovingReviewCount:   pulumi.Int(p.RequiredApprovals),
				DismissStaleReviewsOnPush:      pulumi.Bool(true),
				RequireCodeOwnerReview:         pulumi.Bool(true),
				RequireLastPushApproval:        pulumi.Bool(true),
				RequiredReviewThreadResolution: pulumi.Bool(true),
			},
			RequiredStatusChecks: &gh.RepositoryRulesetRulesRequiredStatusChecksArgs{
				RequiredChecks:                   checks,
				StrictRequiredStatusChecksPolicy: pulumi.Bool(true),
			},
		},
	}
}
