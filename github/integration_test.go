package github

import (
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
	"github.com/coreeng/developer-portal/internal/testkit"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

func TestRepositorySettings(t *testing.T) {
	m, outs := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Repository.Template = "coreeng/backstage-template"
		a.Repository.Description = "Core Platform developer portal"
		a.Repository.SecretScanning = boolPtr(true)
		return a
	})
	commonAssertions(t, m)
	repo := m.Only(t, typeRepo)
	want := map[string]any{
		"name":                "developer-portal",
		"visibility":          "private",
		"vulnerabilityAlerts": true,
		"deleteBranchOnMerge": true,
		"archiveOnDestroy":    true,
		"autoInit":            false,
		"description":         "Core Platform developer portal",
		"template":            map[string]any{"owner": "coreeng", "repository": "backstage-template"},
		"securityAndAnalysis": map[string]any{
			"secretScanning":               map[string]any{"status": "enabled"},
			"secretScanningPushProtection": map[string]any{"status": "enabled"},
		},
	}
	for path, w := range want {
		if got := repo.Plain(path); !reflect.DeepEqual(got, w) {
			t.Errorf("repository %s = %#v, want %#v", path, got, w)
		}
	}
	if !repo.Protect {
		t.Error("repository must be protected")
	}
	if !reflect.DeepEqual(repo.IgnoreChanges, []string{"template"}) {
		t.Errorf("ignoreChanges = %v", repo.IgnoreChanges)
	}
	if repo.Parent != testkit.URN("", Type, "portal-gh") {
		t.Errorf("repository parent = %s", repo.Parent)
	}
	for k, v := range map[string]string{
		"repositoryName": "developer-portal",
		"repositoryUrl":  "https://github.com/CECG/developer-portal",
		"fullName":       "CECG/developer-portal",
	} {
		if outs[k].Value != v {
			t.Errorf("output %s = %v, want %s", k, outs[k].Value, v)
		}
	}
}

func TestRepositoryDefaults(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args { return appArgs(t) })
	repo := m.Only(t, typeRepo)
	if repo.Plain("autoInit") != true {
		t.Error("without a template the repository must be initialised so files have a branch")
	}
	if _, ok := repo.Input("template"); ok {
		t.Error("no template configured")
	}
	if _, ok := repo.Input("securityAndAnalysis"); ok {
		t.Error("secret scanning left to the organisation unless configured")
	}
	m2, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Repository.Protect = boolPtr(false)
		return a
	})
	if m2.Only(t, typeRepo).Protect {
		t.Error("protect opt-out ignored")
	}
}

func TestDefaultBranchRuleset(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Protection.RequiredApprovals = 2
		a.Protection.RequiredStatusChecks = []string{"test", "build-image"}
		a.Protection.BypassActors = append(a.Protection.BypassActors, BypassActor{ActorType: "Team", ActorID: 77, BypassMode: "pull_request"})
		return a
	})
	commonAssertions(t, m)
	rs := m.Only(t, typeRuleset)
	want := map[string]any{
		"name":        "default-branch",
		"repository":  "developer-portal",
		"target":      "branch",
		"enforcement": "active",
		"conditions":  map[string]any{"refName": map[string]any{"includes": []any{"~DEFAULT_BRANCH"}, "excludes": []any{}}},
		"bypassActors": []any{
			map[string]any{"actorType": "Integration", "actorId": float64(deployAppID), "bypassMode": "always"},
			map[string]any{"actorType": "Team", "actorId": float64(77), "bypassMode": "pull_request"},
		},
		"rules": map[string]any{
			"deletion":       true,
			"nonFastForward": true,
			"pullRequest": map[string]any{
				"requiredApprovingReviewCount":   float64(2),
				"dismissStaleReviewsOnPush":      true,
				"requireCodeOwnerReview":         true,
				"requireLastPushApproval":        true,
				"requiredReviewThreadResolution": true,
			},
			"requiredStatusChecks": map[string]any{
				"requiredChecks": []any{
					map[string]any{"context": "test"},
					map[string]any{"context": "build-image"},
				},
				"strictRequiredStatusChecksPolicy": true,
			},
		},
	}
	for path, w := range want {
		if got := rs.Plain(path); !reflect.DeepEqual(got, w) {
			t.Errorf("ruleset %s = %#v, want %#v", path, got, w)
		}
	}
}

func TestManagedFiles(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args { return appArgs(t) })
	commonAssertions(t, m)
	files := map[string]testkit.Resource{}
	for _, r := range m.ByType(typeFile) {
		files[r.String("file")] = r
		if r.String("repository") != "developer-portal" {
			t.Errorf("%s written to %q", r.String("file"), r.String("repository"))
		}
		if r.Plain("overwriteOnCreate") != true {
			t.Errorf("%s: overwriteOnCreate must be set", r.String("file"))
		}
		if msg := r.String("commitMessage"); !strings.Contains(msg, testkit.Project+"/"+testkit.Stack) {
			t.Errorf("%s: commit message %q does not name the stack", r.String("file"), msg)
		}
		if _, ok := r.Input("branch"); ok {
			t.Errorf("%s: files go to the default branch by default", r.String("file"))
		}
		if !strings.HasPrefix(r.String("content"), "# Managed by Pulumi stack developer-portal/test") {
			t.Errorf("%s: no header", r.String("file"))
		}
	}
	if got := keys(files); !sameSet(got, []string{FileAppConfig, FileCatalogInfo, FileCodeOwners, FileDependabot}) {
		t.Fatalf("files = %v", got)
	}

	// app-config.production.yaml is the deployed document.
	assertYAMLEqual(t, files[FileAppConfig].String("content"), testAppConfig)
	// catalog-info.yaml holds the portal's entity with its annotations.
	entities, err := backstage.UnmarshalEntities([]byte(files[FileCatalogInfo].String("content")))
	if err != nil || len(entities) != 1 {
		t.Fatalf("catalog-info: %v, %d entities", err, len(entities))
	}
	ann := entities[0]["metadata"].(map[string]any)["annotations"].(map[string]any)
	if ann[backstage.AnnotationKubernetesID] != "developer-portal" || ann[backstage.AnnotationTechDocsRef] != "dir:." {
		t.Errorf("catalog-info annotations = %v", ann)
	}

	owners := files[FileCodeOwners].String("content")
	wantOwners := []string{"* @CECG/platform-team", "/.github/ @CECG/platform-team"}
	var gotOwners []string
	for _, l := range strings.Split(owners, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			gotOwners = append(gotOwners, l)
		}
	}
	if !reflect.DeepEqual(gotOwners, wantOwners) {
		t.Errorf("CODEOWNERS rules = %q", gotOwners)
	}

	var dep map[string]any
	if err := yaml.Unmarshal([]byte(files[FileDependabot].String("content")), &dep); err != nil {
		t.Fatal(err)
	}
	if dep["version"] != 2 {
		t.Errorf("dependabot version = %v", dep["version"])
	}
	got := map[string]string{}
	for _, u := range dep["updates"].([]any) {
		u := u.(map[string]any)
		got[u["package-ecosystem"].(string)] = u["directory"].(string) + " " + u["schedule"].(map[string]any)["interval"].(string)
	}
	wantDep := map[string]string{"docker": "/app weekly", "npm": "/app weekly", "github-actions": "/ weekly"}
	if !reflect.DeepEqual(got, wantDep) {
		t.Errorf("dependabot updates = %v", got)
	}
}

// The repository copy and the deployed config come from one value: what the program passes is
// what lands in the file, byte for byte after the header.
func TestAppConfigFileMatchesTheDeployedDocument(t *testing.T) {
	c, err := Contribution(appArgs(t))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := backstage.Compose([]backstage.Part{
		{Name: "branding", Config: backstage.AppConfig{App: &backstage.App{Title: "Core Platform"}, Organization: &backstage.Organization{Name: "CECG"}}},
		{Name: c.Name, Config: c.Config},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	deployed, err := doc.YAML()
	if err != nil {
		t.Fatal(err)
	}
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.AppConfigYAML = string(deployed)
		return a
	})
	content := m.MustFind(t, typeFile, "portal-gh-file-app-config").String("content")
	if !strings.HasSuffix(content, string(deployed)) {
		t.Error("committed app-config differs from the deployed document")
	}
	var committed map[string]any
	if err := yaml.Unmarshal([]byte(content), &committed); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(committed, map[string]any(doc)) {
		t.Errorf("committed app-config parses to %v", committed)
	}
	for _, path := range []string{"app.title", "organization.name", "integrations.github", "catalog.providers.githubOrg"} {
		if _, ok := backstage.Document(committed).Get(path); !ok {
			t.Errorf("committed app-config lacks %s", path)
		}
	}
	testkit.AssertNoSecretLeak(t, m, secretValues()...)
}

func TestFilesOnABranch(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Protection.BypassActors = nil // nobody bypasses: the team merges the branch
		a.Files = FilesArgs{Branch: "portal/config", CommitAuthor: "Portal Bot", CommitEmail: "portal-bot@cecg.io"}
		return a
	})
	commonAssertions(t, m)
	b := m.Only(t, typeBranch)
	if b.String("branch") != "portal/config" || b.String("sourceBranch") != "main" || b.String("repository") != "developer-portal" {
		t.Errorf("branch inputs = %v", b.Plain(""))
	}
	if got := m.Only(t, typeRuleset).Plain("bypassActors"); got != nil && len(got.([]any)) != 0 {
		t.Errorf("bypass actors = %v", got)
	}
	for _, f := range m.ByType(typeFile) {
		if f.String("branch") != "portal/config" || f.String("commitAuthor") != "Portal Bot" || f.String("commitEmail") != "portal-bot@cecg.io" {
			t.Errorf("%s: branch/author = %q %q %q", f.Name, f.String("branch"), f.String("commitAuthor"), f.String("commitEmail"))
		}
	}
}

// A stack that does not manage the repository creates none of its repository-wide
// resources, yet still writes its own environment's files and variables.
func TestUnmanagedRepositoryKeepsItsEnvironment(t *testing.T) {
	m, outs := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Repository.Manage = boolPtr(false)
		a.Repository.Name = "portal"
		a.Files.Directory = "environments/dev"
		a.CodeOwners, a.Protection = nil, ProtectionArgs{}
		a.OIDC = OIDCArgs{Cloud: cloud.GCP, GCP: &OIDCGCPArgs{Project: "platform-prod"}}
		return a
	})
	commonAssertions(t, m)
	for _, typ := range []string{typeRepo, typeRuleset, typeBranch, typeVariable} {
		if n := len(m.ByType(typ)); n != 0 {
			t.Errorf("%d %s registered for an unmanaged repository", n, typ)
		}
	}
	var paths []string
	for _, f := range m.ByType(typeFile) {
		paths = append(paths, f.String("file"))
		if f.String("repository") != "portal" {
			t.Errorf("%s written to %q", f.String("file"), f.String("repository"))
		}
	}
	if !sameSet(paths, []string{"environments/dev/" + FileAppConfig, "environments/dev/" + FileCatalogInfo}) {
		t.Errorf("files = %v: only the environment's own, never CODEOWNERS or dependabot", paths)
	}
	if len(m.ByType(typePoolProv)) != 1 {
		t.Error("CI federation must not depend on managing the repository")
	}
	vars := map[string]string{}
	for _, v := range m.ByType(typeEnvVar) {
		vars[v.String("variableName")] = v.String("value")
	}
	identity := func(sa string) map[string]string {
		return map[string]string{
			VarGCPWorkloadIdentityProvider: vars[VarGCPWorkloadIdentityProvider],
			VarGCPServiceAccount:           sa,
			VarGCPProjectID:                "platform-prod",
		}
	}
	assertEnvironments(t, m, "portal", map[string]map[string]string{
		"dev":                     {VarGCPWorkloadIdentityProvider: vars[VarGCPWorkloadIdentityProvider], VarGCPProjectID: "platform-prod"},
		"dev-approve-replacement": {},
		"dev-techdocs":            identity("portal-deploy@test-project.iam.gserviceaccount.com"),
		"dev-drift":               identity("portal-ci@test-project.iam.gserviceaccount.com"),
		"dev-preview":             identity("portal-ci@test-project.iam.gserviceaccount.com"),
	})
	if !strings.HasSuffix(vars[VarGCPWorkloadIdentityProvider], "/providers/portal-gh-ci-provider") {
		t.Errorf("workload identity provider variable = %q", vars[VarGCPWorkloadIdentityProvider])
	}
	if outs["repositoryUrl"].Value != "https://github.com/CECG/portal" || outs["repositoryName"].Value != "portal" {
		t.Errorf("outputs = %v", outs)
	}
}

func TestNothingManagedOnGitHub(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Repository.Manage, a.Files.Manage = boolPtr(false), boolPtr(false)
		a.CodeOwners, a.Protection, a.AppConfigYAML, a.CatalogInfoYAML = nil, ProtectionArgs{}, "", ""
		return a
	})
	if n := len(m.Resources()) - 3 - 1; n != 0 { // the test's three providers and the component
		t.Errorf("%d resources registered", n)
	}
}

// Two stacks share one repository: dev manages it, prod does not. Their files never share a
// path, so their branches merge without conflict, and the repository-wide files come once.
func TestStacksSharingARepository(t *testing.T) {
	stack := func(env string, manage bool) *Args {
		a := appArgs(t)
		a.Environment = env
		a.Repository.Manage = boolPtr(manage)
		a.Files.Directory = "environments/" + env + "/"
		if !manage {
			a.CodeOwners, a.Protection = nil, ProtectionArgs{}
		}
		return a
	}
	seen := map[string]string{}
	for _, s := range []struct {
		env    string
		manage bool
		want   []string
	}{
		{"dev", true, []string{FileCodeOwners, FileDependabot, "environments/dev/" + FileAppConfig, "environments/dev/" + FileCatalogInfo}},
		{"prod", false, []string{"environments/prod/" + FileAppConfig, "environments/prod/" + FileCatalogInfo}},
	} {
		files, err := ManagedFiles(stack(s.env, s.manage), "developer-portal/"+s.env)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(files); !sameSet(got, s.want) {
			t.Errorf("%s files = %v, want %v", s.env, got, s.want)
		}
		for p := range files {
			if other, ok := seen[p]; ok {
				t.Errorf("%s and %s both write %s", other, s.env, p)
			}
			seen[p] = s.env
		}
		if got := EnvironmentFilePath(stack(s.env, s.manage), FileCatalogInfo); got != "environments/"+s.env+"/catalog-info.yaml" {
			t.Errorf("EnvironmentFilePath = %q", got)
		}
	}
	if got := EnvironmentFilePath(appArgs(t), FileCatalogInfo); got != FileCatalogInfo {
		t.Errorf("without a directory the file stays at the root, got %q", got)
	}
}

func TestEnvironmentFilesInADirectory(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Files.Directory = "environments/dev"
		return a
	})
	commonAssertions(t, m)
	want := map[string]string{
		"portal-gh-file-app-config":   "environments/dev/" + FileAppConfig,
		"portal-gh-file-catalog-info": "environments/dev/" + FileCatalogInfo,
		"portal-gh-file-codeowners":   FileCodeOwners,
		"portal-gh-file-dependabot":   FileDependabot,
	}
	repoURN := m.Only(t, typeRepo).URN
	for name, path := range want {
		f := m.MustFind(t, typeFile, name)
		if f.String("file") != path {
			t.Errorf("%s writes %q, want %q", name, f.String("file"), path)
		}
		if !contains(f.DependsOn, repoURN) {
			t.Errorf("%s does not wait for the repository it is written to: %v", name, f.DependsOn)
		}
	}
	assertYAMLEqual(t, m.MustFind(t, typeFile, "portal-gh-file-app-config").String("content"), testAppConfig)
}

func TestRepositoryWithoutEnvironmentFiles(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.Files.Manage = boolPtr(false)
		a.AppConfigYAML, a.CatalogInfoYAML = "", ""
		return a
	})
	var paths []string
	for _, f := range m.ByType(typeFile) {
		paths = append(paths, f.String("file"))
	}
	if !sameSet(paths, []string{FileCodeOwners, FileDependabot}) {
		t.Errorf("files = %v", paths)
	}
	if len(m.ByType(typeRuleset)) != 1 {
		t.Error("the repository is still governed")
	}
}

// With files.branch, a stack that does not manage the repository still creates its branch,
// from the repository's real default branch.
func TestFilesBranchOnAnUnmanagedRepository(t *testing.T) {
	var lookedUp string
	m := newMocks().WithCall(typeLookup, func(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
		lookedUp = args.Args["fullName"].StringValue()
		return resource.PropertyMap{"defaultBranch": resource.NewStringProperty("trunk")}, nil
	})
	m, _, err := deployWith(t, m, func() *Args {
		a := appArgs(t)
		a.Environment = "prod"
		a.Repository.Manage = boolPtr(false)
		a.CodeOwners, a.Protection = nil, ProtectionArgs{}
		a.Files.Branch, a.Files.Directory = "pulumi/prod", "environments/prod"
		return a
	})
	if err != nil {
		t.Fatal(err)
	}
	commonAssertions(t, m)
	if lookedUp != "CECG/developer-portal" {
		t.Errorf("looked up %q", lookedUp)
	}
	b := m.Only(t, typeBranch)
	if b.String("branch") != "pulumi/prod" || b.String("sourceBranch") != "trunk" || b.String("repository") != "developer-portal" {
		t.Errorf("branch inputs = %v", b.Plain(""))
	}
	files := m.ByType(typeFile)
	if len(files) != 2 {
		t.Fatalf("%d files", len(files))
	}
	for _, f := range files {
		if f.String("branch") != "pulumi/prod" || !strings.HasPrefix(f.String("file"), "environments/prod/") {
			t.Errorf("%s: %q on %q", f.Name, f.String("file"), f.String("branch"))
		}
	}
}

// Without the preview environment no pull request ever sees the identifiers: every
// environment is limited to main.
func TestNoPreviewEnvironment(t *testing.T) {
	m, outs := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.OIDC = OIDCArgs{Cloud: cloud.AWS}
		a.PreviewEnvironment = boolPtr(false)
		return a
	})
	assertEnvironments(t, m, "developer-portal", map[string]map[string]string{
		"dev": {}, "dev-approve-replacement": {}, "release": {},
		"dev-techdocs": {VarAWSRoleARN: outs["ciRoleArn"].Value.(string)},
		"dev-drift":    {VarAWSRoleARN: outs["previewPrincipal"].Value.(string)},
	})
}

func TestEnvironmentVariables(t *testing.T) {
	m, outs := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.OIDC = OIDCArgs{Cloud: cloud.AWS}
		a.Variables = map[string]string{"TECHDOCS_BUCKET": "cecg-portal-techdocs-dev", "CLOUD": "aws", "AWS_REGION": "eu-west-2"}
		return a
	})
	commonAssertions(t, m)
	env := m.MustFind(t, typeEnv, "portal-gh-environment")
	want := map[string]any{
		"environment":     "dev",
		"repository":      "developer-portal",
		"canAdminsBypass": false,
		"deploymentBranchPolicy": map[string]any{
			"protectedBranches":    false,
			"customBranchPolicies": true,
		},
	}
	for path, w := range want {
		if got := env.Plain(path); !reflect.DeepEqual(got, w) {
			t.Errorf("environment %s = %#v, want %#v", path, got, w)
		}
	}
	if _, ok := env.Input("reviewers"); ok {
		t.Error("no reviewers are configured")
	}
	if !contains(env.DependsOn, m.Only(t, typeRepo).URN) {
		t.Errorf("environment does not wait for the repository: %v", env.DependsOn)
	}
	plain := map[string]string{"TECHDOCS_BUCKET": "cecg-portal-techdocs-dev", "CLOUD": "aws", "AWS_REGION": "eu-west-2"}
	assertEnvironments(t, m, "developer-portal", map[string]map[string]string{
		"dev":                     plain,
		"dev-approve-replacement": {},
		"release":                 {},
		"dev-techdocs":            withVars(plain, map[string]string{VarAWSRoleARN: outs["ciRoleArn"].Value.(string)}),
		"dev-drift":               withVars(plain, map[string]string{VarAWSRoleARN: outs["previewPrincipal"].Value.(string)}),
		"dev-preview":             withVars(plain, map[string]string{VarAWSRoleARN: outs["previewPrincipal"].Value.(string)}),
	})
	envs := map[string]string{}
	for _, e := range m.ByType(typeEnv) {
		envs[e.String("environment")] = e.URN
	}
	for _, v := range m.ByType(typeEnvVar) {
		if !contains(v.DependsOn, envs[v.String("environment")]) {
			t.Errorf("%s does not wait for its environment", v.Name)
		}
	}
}

func TestTokenModeKeepsTheTokenSecret(t *testing.T) {
	m, _ := mustDeploy(t, func() *Args {
		a := appArgs(t)
		a.App = AppArgs{}
		a.AppPrivateKey, a.AppClientSecret, a.AppWebhookSecret = nil, nil, nil
		a.Token = testSecret(fakeToken)
		a.SignIn.Enabled = boolPtr(false)
		return a
	})
	commonAssertions(t, m)
	if len(m.ByType(typeRepo)) != 1 {
		t.Error("token mode must still manage the repository")
	}
}

func TestCredentialsNeverReachAFile(t *testing.T) {
	// An app-config that embeds a literal credential is refused before anything is registered
	// (see TestBadInputRegistersNothing); here the generated files are checked directly.
	files, err := ManagedFiles(appArgs(t), "developer-portal/test")
	if err != nil {
		t.Fatal(err)
	}
	for path, content := range files {
		for _, s := range secretValues() {
			if strings.Contains(content, s) {
				t.Errorf("%s holds a secret value", path)
			}
		}
	}
	if err := literalSecrets(map[string]any{"a": map[string]any{"clientSecret": "s3cr3t-value"}}); err == nil ||
		!strings.Contains(err.Error(), "a.clientSecret") || strings.Contains(err.Error(), "s3cr3t-value") {
		t.Errorf("inline secret check: %v", err)
	}
	if err := literalSecrets(map[string]any{"a": []any{map[string]any{"token": "${GITHUB_TOKEN}"}}}); err != nil {
		t.Errorf("references must pass: %v", err)
	}
}

func assertYAMLEqual(t *testing.T, got, want string) {
	t.Helper()
	var g, w any
	if err := yaml.Unmarshal([]byte(got), &g); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("YAML differs:\n got %v\nwant %v", g, w)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
