package access

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/coreeng/developer-portal/internal/validate"
)

// RootParent is the implicit root of the tenant tree: a tenant whose parent is "root" sits at
// the top.
const RootParent = "root"

// Tenant is one tenant definition as the Core Platform writes it, one YAML file per tenant
// named "<name>.yaml". Unknown fields are rejected so that a typo never silently drops access.
type Tenant struct {
	// Name is the tenant, its namespace and its GitHub team; a DNS label.
	Name string `json:"name" yaml:"name"`
	// Parent is another tenant's name, or "root".
	Parent string `json:"parent" yaml:"parent"`
	// Description says what the tenant runs.
	Description string `json:"description" yaml:"description"`
	// ContactEmail is who to ask about the tenant.
	ContactEmail string `json:"contactEmail" yaml:"contactEmail"`
	// CostCentre is optional, free text.
	CostCentre string `json:"costCentre,omitempty" yaml:"costCentre,omitempty"`
	// Environments lists where the tenant is provisioned (e.g. "gcp-dev").
	Environments []string `json:"environments" yaml:"environments"`
	// Repos are the tenant's GitHub repository URLs (https://github.com/<owner>/<repo>).
	Repos []string `json:"repos,omitempty" yaml:"repos,omitempty"`
	// AdminGroup is the group (e-mail, e.g. a Google Group) bound to the namespace's admin role.
	AdminGroup string `json:"adminGroup" yaml:"adminGroup"`
	// ReadonlyGroup is the group bound to the namespace's view role.
	ReadonlyGroup string `json:"readonlyGroup" yaml:"readonlyGroup"`

	// File is where the definition was read from; errors name it. Empty for definitions
	// built in code.
	File string `json:"-" yaml:"-"`
}

// InEnvironment reports whether the tenant is provisioned in env.
func (t Tenant) InEnvironment(env string) bool {
	for _, e := range t.Environments {
		if e == env {
			return true
		}
	}
	return false
}

// LoadTenants reads every "<dir>/*.yaml" file as one tenant definition, strictly: unknown
// fields, wrong types, several documents in one file and ".yml" files are errors. It returns
// every problem at once, each naming the file (and the field where the decoder knows it), as a
// *validate.Errors. It does not check the definitions' content: see ValidateTenants. A relative
// dir resolves against the working directory, which for `pulumi up` is the project root.
// Which files are definitions is TenantFiles' decision alone.
func LoadTenants(dir string) ([]Tenant, error) {
	files, err := TenantFiles(dir)
	if listed := (*validate.Errors)(nil); err != nil && !errors.As(err, &listed) {
		return nil, err
	}
	var errs validate.Errors
	errs.Merge("", err)
	var tenants []Tenant
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			errs.Add(path, "%v", err)
			continue
		}
		t, err := ParseTenant(data)
		if err != nil {
			errs.Merge(path, err)
			continue
		}
		t.File = path
		tenants = append(tenants, t)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return tenants, nil
}

// TenantFiles decides which files of dir are tenant definitions: the regular files directly
// in it named "*.yaml" (see IsTenantFileName), sorted. Its error (a *validate.Errors, each
// problem naming its path) lists the entries that look like definitions but would not be read
// — symbolic links, ".yml" or upper-case extensions, subfolders holding YAML, anything not a
// regular file — so nothing meant as a tenancy is skipped without a word; the files are
// returned with it. Other files (a README, .gitkeep) are neither read nor reported. Reading
// dir itself failing is a plain error and no files.
func TenantFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading tenant definitions: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var errs validate.Errors
	var files []string
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		ext := filepath.Ext(e.Name())
		isYAML := strings.EqualFold(ext, ".yaml") || strings.EqualFold(ext, ".yml")
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			// A link could provision a file reviewed nowhere; its target is not read or echoed.
			errs.Add(path, "is a symbolic link: tenant definitions must be regular files in %s", dir)
		case e.IsDir():
			if holdsYAML(path) {
				errs.Add(path, "holds YAML files, which are not read: tenant definitions must be files directly in %s", dir)
			}
		case IsTenantFileName(e.Name()) && !e.Type().IsRegular():
			errs.Add(path, "is not a regular file")
		case IsTenantFileName(e.Name()):
			files = append(files, path)
		case isYAML:
			errs.Add(path, "tenant definitions must be named <name>.yaml")
		}
	}
	return files, errs.Err()
}

// IsTenantFileName reports whether a file of that name directly in the tenants folder is
// read as a tenant definition: its extension is exactly ".yaml".
func IsTenantFileName(name string) bool {
	return filepath.Ext(name) == ".yaml"
}

// ParseTenant decodes one tenant definition strictly (unknown fields rejected, exactly one
// document). Problems come back as a *validate.Errors.
func ParseTenant(data []byte) (Tenant, error) {
	var errs validate.Errors
	var t Tenant
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil {
		var te *yaml.TypeError
		switch {
		case errors.Is(err, io.EOF):
			errs.Add("", "empty tenant definition")
		case errors.As(err, &te):
			for _, msg := range te.Errors {
				errs.Add("", "%s", strings.TrimSpace(msg))
			}
		default:
			errs.Add("", "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		return Tenant{}, errs.Err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		errs.Add("", "a tenant definition holds exactly one YAML document")
		return Tenant{}, errs.Err()
	}
	return t, nil
}

// holdsYAML reports whether a subdirectory of the tenants directory holds YAML files: a
// tenant definition put there would otherwise be skipped without a word.
func holdsYAML(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return fs.SkipAll
		}
		ext := strings.ToLower(filepath.Ext(d.Name()))
		if !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			found = true
		}
		return nil
	})
	return found
}
