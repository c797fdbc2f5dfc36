package github

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/internal/validate"
	gh "github.com/pulumi/pulumi-github/sdk/v6/go/github"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"gopkg.in/yaml.v3"
)

// Names of the files the component keeps in the repository. CODEOWNERS and the Dependabot
// config are repository-wide (written by the stack that manages the repository); the
// app-config and catalog-info are the environment's own, written under files.directory.
const (
	FileAppConfig   = "app-config.production.yaml"
	FileCatalogInfo = "catalog-info.yaml"
	FileCodeOwners  = ".github/CODEOWNERS"
	FileDependabot  = ".github/dependabot.yml"
)

// managedFile is one committed file; resource keeps the child's name independent of the
// directory, so choosing a directory changes the file's path, not its identity.
type managedFile struct {
	path, resource, content string
}

// EnvironmentFilePath is where the environment's file (FileAppConfig or FileCatalogInfo) is
// committed: under files.directory.
func EnvironmentFilePath(args *Args, file string) string {
	if args == nil {
		return file
	}
	d := args.WithDefaults()
	if d.Files.Directory == "" {
		return file
	}
	return path.Join(d.Files.Directory, file)
}

// ManagedFiles renders every file the component commits, by path: CODEOWNERS and the
// Dependabot config when the repository is managed, and the program's app-config and
// catalog-info (verbatim below a header, under files.directory) when files.manage is true.
// stack ("project/stack") is named in each header. It registers nothing.
func ManagedFiles(args *Args, stack string) (map[string]string, error) {
	files, err := managedFiles(args, stack)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(files))
	for _, f := range files {
		out[f.path] = f.content
	}
	return out, nil
}

func managedFiles(args *Args, stack string) ([]managedFile, error) {
	if args == nil {
		return nil, errors.New("github: args are required")
	}
	d := new(args.WithDefaults())
	hdr := header(stack)
	var files []managedFile
	if d.managed() {
		dependabot, err := DependabotConfig(d.DependencyUpdates)
		if err != nil {
			return nil, err
		}
		files = append(files,
			managedFile{FileCodeOwners, "codeowners", hdr + CodeOwners(d.CodeOwners)},
			managedFile{FileDependabot, "dependabot", hdr + dependabot},
		)
	}
	if d.filesManaged() {
		if d.AppConfigYAML != "" {
			files = append(files, managedFile{EnvironmentFilePath(d, FileAppConfig), "app-config", hdr + d.AppConfigYAML})
		}
		if d.CatalogInfoYAML != "" {
			files = append(files, managedFile{EnvironmentFilePath(d, FileCatalogInfo), "catalog-info", hdr + d.CatalogInfoYAML})
		}
	}
	sort.Slice(files, func(i, j int) bool { return files[i].path < files[j].path })
	return files, nil
}

func header(stack string) string {
	return "# Managed by Pulumi stack " + stack + ": change the stack's configuration, not this file.\n"
}

// CodeOwners renders a CODEOWNERS file giving the owners every path, the workflows and this
// file included, so that with the ruleset's code-owner review they approve every change.
func CodeOwners(owners []string) string {
	line := strings.Join(owners, " ")
	rules := []struct{ pattern, owners string }{
		{"*", line},
		{"/.github/", line},
	}
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "%s %s\n", r.pattern, r.owners)
	}
	return b.String()
}

type dependabotConfig struct {
	Version int                `yaml:"version"`
	Updates []dependabotUpdate `yaml:"updates"`
}

type dependabotUpdate struct {
	PackageEcosystem string                     `yaml:"package-ecosystem"`
	Directory        string                     `yaml:"directory,omitempty"`
	Directories      []string                   `yaml:"directories,omitempty"`
	Schedule         dependabotSchedule         `yaml:"schedule"`
	Groups           map[string]dependabotGroup `yaml:"groups,omitempty"`
}

type dependabotSchedule struct {
	Interval string `yaml:"interval"`
}

type dependabotGroup struct {
	Patterns []string `yaml:"patterns"`
}

// DependabotConfig renders .github/dependabot.yml: the Backstage image's base (docker), the
// app's npm workspaces (every @backstage package in one group, so a release lands as one pull
// request; app/README.md describes the monthly `backstage-cli versions:bump` that moves
// app/backstage.json with it), the workflows' actions and, when goDirectories is set, the Go
// modules.
func DependabotConfig(u DependencyUpdatesArgs) (string, error) {
	sched := dependabotSchedule{Interval: u.Interval}
	cfg := dependabotConfig{Version: 2, Updates: []dependabotUpdate{
		{PackageEcosystem: "docker", Directory: u.DockerDirectory, Schedule: sched},
		{PackageEcosystem: "npm", Directory: u.NPMDirectory, Schedule: sched, Groups: map[string]dependabotGroup{
			"backstage": {Patterns: []string{"@backstage/*", "@backstage-community/*"}},
		}},
		{PackageEcosystem: "github-actions", Directory: "/", Schedule: sched, Groups: map[string]dependabotGroup{
			"actions": {Patterns: []string{"*"}},
		}},
	}}
	if len(u.GoDirectories) > 0 {
		// The Pulumi SDK and its providers move together: one pull request for all of them.
		cfg.Updates = append(cfg.Updates, dependabotUpdate{PackageEcosystem: "gomod", Directories: u.GoDirectories,
			Schedule: sched, Groups: map[string]dependabotGroup{"pulumi": {Patterns: []string{"github.com/pulumi/*"}}}})
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// newManagedFiles commits the files to repoName (the managed repository's name output, so
// they wait for it, or the plain name of a repository managed elsewhere). On the default
// branch the deploying identity bypasses the ruleset (validation requires such a bypass actor
// when this stack manages the ruleset); with files.branch they go to that branch, created
// from sourceBranch, for the team to merge.
func newManagedFiles(ctx *pulumi.Context, name string, d *Args, files []managedFile, repoName pulumi.StringInput,
	sourceBranch pulumi.StringInput, parent pulumi.Resource) error {
	var branch pulumi.StringPtrInput
	if d.Files.Branch != "" {
		b, err := gh.NewBranch(ctx, name+"-files-branch", &gh.BranchArgs{
			Repository:   repoName,
			Branch:       pulumi.String(d.Files.Branch),
			SourceBranch: sourceBranch,
		}, pulumi.Parent(parent))
		if err != nil {
			return err
		}
		branch = b.Branch
	}
	for _, f := range files {
		fileArgs := &gh.RepositoryFileArgs{
			Repository:        repoName,
			File:              pulumi.String(f.path),
			Content:           pulumi.String(f.content),
			Branch:            branch,
			CommitMessage:     pulumi.String(fmt.Sprintf("chore: update %s from Pulumi stack %s/%s", f.path, ctx.Project(), ctx.Stack())),
			OverwriteOnCreate: pulumi.Bool(true),
		}
		if d.Files.CommitAuthor != "" {
			fileArgs.CommitAuthor = pulumi.String(d.Files.CommitAuthor)
			fileArgs.CommitEmail = pulumi.String(d.Files.CommitEmail)
		}
		if _, err := gh.NewRepositoryFile(ctx, name+"-file-"+f.resource, fileArgs, pulumi.Parent(parent)); err != nil {
			return err
		}
	}
	return nil
}

func checkAppConfigYAML(s string) error {
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(s), &doc); err != nil {
		return fmt.Errorf("is not YAML: %w", err)
	}
	if doc == nil {
		return errors.New("is empty")
	}
	return literalSecrets(doc)
}

func checkCatalogInfoYAML(s string) error {
	docs, err := backstage.UnmarshalEntities([]byte(s))
	if err != nil {
		return fmt.Errorf("is not YAML: %w", err)
	}
	if len(docs) == 0 {
		return errors.New("holds no entity")
	}
	for i, doc := range docs {
		if doc["kind"] == nil || doc["metadata"] == nil {
			return fmt.Errorf("document %d is not a catalog entity (kind and metadata are required)", i)
		}
		if err := literalSecrets(doc); err != nil {
			return fmt.Errorf("document %d: %w", i, err)
		}
	}
	return nil
}

// literalSecrets refuses a file that would put a credential in the repository (the rule in
// internal/validate). Errors name the key, never the value.
func literalSecrets(doc map[string]any) error {
	var errs validate.Errors
	validate.LiteralSecrets(&errs, "", doc)
	return errs.Err()
}
