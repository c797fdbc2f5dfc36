package plan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/access"
	"github.com/coreeng/developer-portal/internal/offline"
)

// TenantCheckOptions select what the tenancy check plans.
type TenantCheckOptions struct {
	// Root is the project directory (holding Pulumi.yaml and the stack files).
	Root string
	// Stacks are the stacks to plan; empty means every Pulumi.<stack>.yaml in Root.
	Stacks []string
	// Files are the changed tenant definitions, all in one tenants folder. A file that does
	// not exist was deleted by the change.
	Files []string
}

// TenantCheck validates changed tenant definitions and renders, as Markdown, what every
// stack will create for each of them: the offline plan of each stack over the tenants folder
// holding the files, narrowed to the tenants. ok is false when a file or a stack rejects the
// change; the report then carries the errors, each naming the file and field.
func TenantCheck(opts TenantCheckOptions) (report string, ok bool, err error) {
	if len(opts.Files) == 0 {
		return "", false, errors.New("no tenant files given")
	}
	dir := filepath.Dir(opts.Files[0])
	for _, f := range opts.Files[1:] {
		if filepath.Dir(f) != dir {
			return "", false, fmt.Errorf("%s and %s are in different folders: check one tenants folder at a time", opts.Files[0], f)
		}
	}
	stacks := opts.Stacks
	if len(stacks) == 0 {
		if stacks, err = stackNames(opts.Root); err != nil {
			return "", false, err
		}
	}

	var b strings.Builder
	b.WriteString("## Tenancy check\n\n")
	ok = true
	var names, removed []string
	for _, f := range opts.Files {
		data, err := os.ReadFile(f)
		if errors.Is(err, os.ErrNotExist) {
			removed = append(removed, f)
			continue
		}
		if err != nil {
			return "", false, err
		}
		t, err := access.ParseTenant(data)
		if err != nil {
			ok = false
			fmt.Fprintf(&b, "**`%s` is invalid:**\n\n%s\n", f, codeBlock("text", prefixLines(err.Error(), f+": ")))
			continue
		}
		names = append(names, t.Name)
	}
	for _, f := range removed {
		fmt.Fprintf(&b, "- `%s` is deleted: at the next deploy each stack removes what it created for that tenancy (see its preview).\n", f)
	}
	if len(removed) > 0 {
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
		for _, n := range names {
			p, err := ForTenant(res, n)
			if err != nil {
				return "", false, err
			}
			if parts[n] == nil {
				parts[n] = map[string]TenantPart{}
			}
			parts[n][s] = p
		}
	}
	if !ok {
		return b.String(), false, nil
	}
	for i, n := range names {
		fmt.Fprintf(&b, "### Tenancy `%s` (`%s`): valid\n\n", n, opts.Files[i])
		for _, s := range stacks {
			p := parts[n][s]
			if len(p.Resources) == 0 && len(p.Entities) == 0 {
				fmt.Fprintf(&b, "- stack `%s`: nothing (the tenancy does not list this stack's environment)\n", s)
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

// stackNames are the stacks whose files sit in root: Pulumi.<stack>.yaml.
func stackNames(root string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "Pulumi."), ".yaml"))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no Pulumi.<stack>.yaml in %s", root)
	}
	sort.Strings(names)
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
	longest, run := 0, 0
	for _, c := range text {
		if c == '`' {
			run++
			if run > longest {
				longest = run
			}
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + lang + "\n" + strings.TrimRight(text, "\n") + "\n" + fence + "\n"
}

func prefixLines(text, prefix string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
