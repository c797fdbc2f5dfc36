package plan

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/internal/offline"
	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/stack"
)

// TenantCheckOptions select what the tenancy check plans.
type TenantCheckOptions struct {
	// Root is the project directory (holding Pulumi.yaml and the stack files).
	Root string
	// Stacks are the stacks to plan; empty means every stack of every environment in Root
	// (Environments).
	Stacks []string
	// TenantsDir is the tenants folder the stacks are planned over; empty means the stacks'
	// own tenants.dir (relative to Root), which must then be one folder for all of them.
	TenantsDir string
	// Files are the changed tenant definitions. A file that does not exist was deleted by
	// the change.
	Files []string
}

// checkedFile is a changed file the stacks read, and the tenancy it defines.
type checkedFile struct {
	file, tenant string
}

// TenantCheck validates changed tenant definitions and renders, as Markdown, what every
// stack will create for each of them: the offline plan of each stack over the tenants folder,
// narrowed to the tenants. ok is false when a file or a stack rejects the change; the report
// then carries the errors, each naming the file and field.
//
// Which files are tenancies is decided by access.TenantFiles, the stacks' own loader, over
// the very folder the stacks are planned over: a changed file it does not read (in a
// subfolder, outside the folder, ".yml", a symbolic link, not YAML) is an error naming the
// file, never a tenancy the report shows and the stack ignores.
func TenantCheck(opts TenantCheckOptions) (report string, ok bool, err error) {
	if len(opts.Files) == 0 {
		return "", false, errors.New("no tenant files given")
	}
	stacks := opts.Stacks
	if len(stacks) == 0 {
		if stacks, err = stackNames(opts.Root); err != nil {
			return "", false, err
		}
	}
	dir := opts.TenantsDir
	if dir == "" {
		if dir, err = stacksTenantsDir(opts.Root, stacks); err != nil {
			return "", false, err
		}
	}
	// The folder's problems (a subfolder holding YAML, a link) are the stacks' to report
	// below; here only which files are read matters.
	read, err := access.TenantFiles(dir)
	if listed := (*validate.Errors)(nil); err != nil && !errors.As(err, &listed) {
		return "", false, err
	}
	isRead := map[string]bool{}
	for _, f := range read {
		isRead[absPath(f)] = true
	}

	var b strings.Builder
	b.WriteString("## Tenancy check\n\n")
	ok = true
	var checked []checkedFile
	var removed, unread []string
	seen := map[string]bool{}
	for _, f := range opts.Files {
		abs := absPath(f)
		if seen[abs] {
			continue
		}
		seen[abs] = true
		if _, err := os.Lstat(f); errors.Is(err, os.ErrNotExist) {
			if filepath.Dir(abs) == absPath(dir) && access.IsTenantFileName(filepath.Base(f)) {
				removed = append(removed, f)
			} else {
				unread = append(unread, f)
			}
			continue
		} else if err != nil {
			return "", false, err
		}
		if !isRead[abs] {
			ok = false
			fmt.Fprintf(&b, "**%s is not a tenant definition the stacks read:** they read only the regular `<name>.yaml` files directly in %s. Merged, it would provision nothing, and a deploy fails on YAML they do not read (in a subfolder, `.yml`, a symbolic link).\n\n", inlineCode(f), inlineCode(dir))
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return "", false, err
		}
		t, err := access.ParseTenant(data)
		if err != nil {
			ok = false
			fmt.Fprintf(&b, "**%s is invalid:**\n\n%s\n", inlineCode(f), codeBlock("text", prefixLines(err.Error(), f+": ")))
			continue
		}
		checked = append(checked, checkedFile{file: f, tenant: t.Name})
	}
	for _, f := range removed {
		fmt.Fprintf(&b, "- %s is deleted: at the next deploy each stack removes what it created for that tenancy (see its preview).\n", inlineCode(f))
	}
	for _, f := range unread {
		fmt.Fprintf(&b, "- %s is deleted; the stacks never read it (not a `<name>.yaml` file directly in %s): it changes nothing.\n", inlineCode(f), inlineCode(dir))
	}
	if len(removed)+len(unread) > 0 {
		b.WriteString("\n")
	}
	if !ok {
		return b.String(), false, nil
	}

	parts := map[string]map[string]TenantPart{} // tenant → stack → part
	for _, s := range stacks {
		res, err := Run(Options{Root: opts.Root, Stack: s, TenantsDir: dir})
		if err != nil {
			ok = false
			fmt.Fprintf(&b, "**Stack `%s` rejects the tenants folder:**\n\n%s\n", s, codeBlock("text", err.Error()))
			continue
		}
		for _, c := range checked {
			p, err := ForTenant(res, c.tenant)
			if err != nil {
				return "", false, err
			}
			if parts[c.tenant] == nil {
				parts[c.tenant] = map[string]TenantPart{}
			}
			parts[c.tenant][s] = p
		}
	}
	if !ok {
		return b.String(), false, nil
	}
	for _, c := range checked {
		n := c.tenant
		fmt.Fprintf(&b, "### Tenancy `%s` (%s): valid\n\n", n, inlineCode(c.file))
		for _, s := range stacks {
			p := parts[n][s]
			if len(p.Resources) == 0 && len(p.Entities) == 0 {
				why := "the tenancy does not list this stack's environment"
				if shardStackName.MatchString(s) {
					why = "another shard's stack deploys the tenancy, or it does not list this stack's environment"
				}
				fmt.Fprintf(&b, "- stack `%s`: nothing (%s)\n", s, why)
				continue
			}
			fmt.Fprintf(&b, "- stack `%s`: %s; catalog: %s\n", s, summarise(p.Resources), entityKinds(p.Entities))
		}
		b.WriteString("\n")
		for _, s := range stacks {
			p := parts[n][s]
			if len(p.Resources) == 0 && len(p.Entities) == 0 {
				continue
			}
			fmt.Fprintf(&b, "<details><summary>What <code>pulumi up</code> of stack <code>%s</code> creates for <code>%s</code></summary>\n\n", s, n)
			b.WriteString(codeBlock("text", Render(p.Resources)))
			if len(p.Entities) > 0 {
				b.WriteString("\nCatalog entities:\n\n")
				b.WriteString(codeBlock("yaml", "---\n"+strings.Join(p.Entities, "---\n")))
			}
			b.WriteString("\n</details>\n\n")
		}
	}
	b.WriteString("Rendered offline (`go run ./cmd/plan -tenant ...`) from this pull request's files with the mock engine: computed values are stand-ins. Merging deploys it: see the operators' documentation, *Deploying and previewing*.\n")
	return b.String(), true, nil
}

// stacksTenantsDir is the tenants folder the stacks read (their tenants.dir, default
// access.DefaultDir, relative to root), which must be one folder for all of them.
func stacksTenantsDir(root string, stacks []string) (string, error) {
	dir := ""
	for _, s := range stacks {
		path := filepath.Join(root, "Pulumi."+s+".yaml")
		sf, err := ReadStackFile(path, filepath.Join(root, "Pulumi.yaml"))
		if err != nil {
			return "", err
		}
		var tenants struct {
			Dir string `json:"dir"`
		}
		if raw := sf.Values[stack.Namespace+":tenants"]; raw != "" {
			if err := json.Unmarshal([]byte(raw), &tenants); err != nil {
				return "", fmt.Errorf("%s: tenants: %w", path, err)
			}
		}
		d := cmp.Or(tenants.Dir, access.DefaultDir)
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, d)
		}
		if dir != "" && d != dir {
			return "", fmt.Errorf("the stacks read different tenants folders (%s, %s): check one stack at a time", dir, d)
		}
		dir = d
	}
	return dir, nil
}

// absPath is path made absolute and clean, for comparing paths given differently.
func absPath(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return filepath.Clean(path)
}

// stackNames are the stacks the workflows run (Environments): every environment's stacks,
// its shards' before its portal's, so the check reports on the very stacks a merge deploys
// and refuses a stack file they would not run.
func stackNames(root string) ([]string, error) {
	envs, err := Environments(root)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range AllStacks(envs) {
		names = append(names, s.Stack)
	}
	return names, nil
}

// summarise counts resources by kind: "Namespace, 2 RoleBinding, Team".
func summarise(rs []offline.Resource) string {
	if len(rs) == 0 {
		return "no resources"
	}
	kinds := make([]string, 0, len(rs))
	for _, r := range rs {
		kinds = append(kinds, r.Type[strings.LastIndex(r.Type, ":")+1:])
	}
	return summariseWords(kinds)
}

func entityKinds(docs []string) string {
	if len(docs) == 0 {
		return "no entities"
	}
	var kinds []string
	for _, d := range docs {
		for _, line := range strings.Split(d, "\n") {
			if strings.HasPrefix(line, "kind: ") {
				kinds = append(kinds, strings.TrimPrefix(line, "kind: "))
				break
			}
		}
	}
	return summariseWords(kinds)
}

// summariseWords counts repeated words: "2 RoleBinding, Namespace".
func summariseWords(words []string) string {
	count := map[string]int{}
	var order []string
	for _, w := range words {
		if count[w] == 0 {
			order = append(order, w)
		}
		count[w]++
	}
	sort.Strings(order)
	for i, w := range order {
		if count[w] > 1 {
			order[i] = fmt.Sprintf("%d %s", count[w], w)
		}
	}
	return strings.Join(order, ", ")
}

// codeBlock fences text with more backticks than it contains in a row, so content from a
// pull request can never close the fence and inject Markdown.
func codeBlock(lang, text string) string {
	fence := strings.Repeat("`", max(3, longestRun(text, '`')+1))
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}

// inlineCode is text as Markdown inline code, delimited by more backticks than it holds in a
// row: a file name from a pull request can never close it and inject Markdown.
func inlineCode(text string) string {
	fence := strings.Repeat("`", longestRun(text, '`')+1)
	if strings.HasPrefix(text, "`") || strings.HasSuffix(text, "`") {
		text = " " + text + " "
	}
	return fence + text + fence
}

// longestRun is the length of the longest run of c in text.
func longestRun(text string, c rune) int {
	longest, run := 0, 0
	for _, r := range text {
		if r != c {
			run = 0
			continue
		}
		run++
		longest = max(longest, run)
	}
	return longest
}

func prefixLines(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
