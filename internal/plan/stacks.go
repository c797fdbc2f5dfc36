package plan

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/coreeng/developer-portal/internal/validate"
	"github.com/coreeng/developer-portal/stack"
)

// StackRef is one stack the workflows run: its name (Pulumi.<stack>.yaml), the environment it
// belongs to (the GitHub environments its jobs run in are named after it) and its tenant shard
// (0: the environment's portal stack).
type StackRef struct {
	Stack       string `json:"stack"`
	Environment string `json:"environment"`
	Shard       int    `json:"shard"`
}

// EnvironmentStacks are an environment's stacks: the portal's (Pulumi.<env>.yaml, shard 0)
// and its tenant shards' (Pulumi.<env>-tenants-<i>.yaml, i from 1 to tenants.shard.count-1),
// in shard order.
type EnvironmentStacks struct {
	Name   string     `json:"name"`
	Portal StackRef   `json:"portal"`
	Shards []StackRef `json:"shards"`
}

// All lists the environment's stacks, the shards first and the portal's last: the order a
// deploy runs them in (the portal's catalog lists every shard's tenants).
func (e EnvironmentStacks) All() []StackRef {
	return append(slices.Clone(e.Shards), e.Portal)
}

// MatrixOutputs are the workflows' matrices (cmd/stacks -github-output): "stacks", every
// stack of every environment (each one's shards before its portal), and "<env>-shards", each
// environment's shard stacks (empty without shards).
func MatrixOutputs(envs []EnvironmentStacks) map[string][]StackRef {
	out := map[string][]StackRef{"stacks": AllStacks(envs)}
	for _, e := range envs {
		out[e.Name+"-shards"] = slices.Clone(e.Shards)
		if out[e.Name+"-shards"] == nil {
			out[e.Name+"-shards"] = []StackRef{}
		}
	}
	return out
}

// AllStacks are every stack of envs, environment by environment, each one's shards before its
// portal's.
func AllStacks(envs []EnvironmentStacks) []StackRef {
	out := []StackRef{}
	for _, e := range envs {
		out = append(out, e.All()...)
	}
	return out
}

const (
	keyEnvironment = stack.Namespace + ":environment"
	keyTenants     = stack.Namespace + ":tenants"
)

// maxMissingNamed is how many missing shard files an error names one by one.
const maxMissingNamed = 10

var (
	// shardStackName is a tenant shard's stack: <env>-tenants-<i>.
	shardStackName = regexp.MustCompile(`^(.+)-tenants-([0-9]+)$`)
	// shardIndex is a shard's index as a file name writes it: no sign, no leading zero.
	shardIndex = regexp.MustCompile(`^[1-9][0-9]{0,5}$`)
)

// Environments derives the stacks of every environment from the committed stack files in
// root, and checks what docs/operators/scale.md promises of them, naming the file of each
// problem (all of them at once):
//   - every Pulumi.*.yaml but the project file is Pulumi.<env>.yaml, an environment's portal
//     stack, whose developer-portal:environment is <env>, or Pulumi.<env>-tenants-<i>.yaml,
//     one of its tenant shards; a Pulumi.*.yml is refused (the workflows read .yaml);
//   - the portal's stack leaves tenants.shard.index unset, and its tenants.shard.count (0 or 1:
//     no shards) says which shard stacks exist: each index from 1 to count-1 exactly once;
//   - a shard stack's environment has a portal stack, its index is in that range and is its
//     file's tenants.shard.index, and its file is the portal's but for tenants.shard.index:
//     the same keys and values, the same encrypted keys (their ciphertexts differ by stack)
//     and the same secretsprovider. Values are never printed, only the keys that differ.
func Environments(root string) ([]EnvironmentStacks, error) {
	var errs validate.Errors
	if yml, _ := filepath.Glob(filepath.Join(root, "Pulumi.*.yml")); len(yml) > 0 {
		for _, f := range yml {
			errs.Add(filepath.Base(f), "a stack file is named Pulumi.<stack>.yaml: rename it (the workflows and the checks read .yaml only)")
		}
	}
	files, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	if err != nil {
		return nil, err
	}
	project := filepath.Join(root, "Pulumi.yaml")
	type shardFile struct {
		name, env string
		index     int
		file      *StackFile
	}
	portals := map[string]*StackFile{}
	var shards []shardFile
	for _, path := range files {
		base := filepath.Base(path)
		name := strings.TrimSuffix(strings.TrimPrefix(base, "Pulumi."), ".yaml")
		sf, err := ReadStackFile(path, project)
		if err != nil {
			errs.Add(base, "%v", err)
			continue
		}
		if m := shardStackName.FindStringSubmatch(name); m != nil || strings.Contains(name, "-tenants-") {
			if m == nil || !shardIndex.MatchString(m[2]) || !validate.DNSLabel(m[1]) {
				errs.Add(base, "not a stack name the workflows run: a tenant shard's stack is <environment>-tenants-<i>, i from 1 without leading zeros (Pulumi.prod-tenants-1.yaml)")
				continue
			}
			i, _ := strconv.Atoi(m[2])
			shards = append(shards, shardFile{name: name, env: m[1], index: i, file: sf})
			continue
		}
		if !validate.DNSLabel(name) {
			errs.Add(base, "not a stack name the workflows run: an environment's stack is Pulumi.<environment>.yaml, the environment a DNS label (dev, pre-prod, prod)")
			continue
		}
		if env := sf.Values[keyEnvironment]; env != name {
			errs.Add(base, "%s is %q: an environment's portal stack is named after its environment (Pulumi.<environment>.yaml), whose GitHub environments and identities its jobs use", keyEnvironment, env)
			continue
		}
		shard, err := shardOfFile(sf)
		if err != nil {
			errs.Add(base, "%v", err)
			continue
		}
		if _, set := shard["index"]; set {
			errs.Add(base, "%s.shard.index is set: the portal's stack is shard 0 and leaves it unset; the other shards are Pulumi.%s-tenants-<i>.yaml", keyTenants, name)
			continue
		}
		portals[name] = sf
	}

	envs := map[string]*EnvironmentStacks{}
	for name, sf := range portals {
		envs[name] = &EnvironmentStacks{Name: name, Portal: StackRef{Stack: name, Environment: name}}
		count := shardCount(sf)
		have := map[int]bool{}
		for _, s := range shards {
			if s.env == name {
				have[s.index] = true
			}
		}
		missing := 0
		for i := 1; i < count; i++ {
			if have[i] {
				continue
			}
			// A count far above the files (a typo, or a hostile pull request) is named once
			// per file up to a point, then counted.
			if missing++; missing <= maxMissingNamed {
				errs.Add(fmt.Sprintf("Pulumi.%s-tenants-%d.yaml", name, i), "missing: Pulumi.%s.yaml sets %s.shard.count %d, so shards 1 to %d each need their stack file", name, keyTenants, count, count-1)
			}
		}
		if missing > maxMissingNamed {
			errs.Add("Pulumi."+name+".yaml", "%d more shard stack files are missing for %s.shard.count %d", missing-maxMissingNamed, keyTenants, count)
		}
	}
	bySetIndex := map[string]string{}
	for _, s := range shards {
		base := "Pulumi." + s.name + ".yaml"
		portal, ok := portals[s.env]
		if !ok {
			errs.Add(base, "a tenant shard of environment %q, which has no valid portal stack Pulumi.%s.yaml", s.env, s.env)
			continue
		}
		if count := shardCount(portal); s.index >= count {
			errs.Add(base, "shard %d is out of range: Pulumi.%s.yaml sets %s.shard.count %d (shards 1 to %d besides the portal's)", s.index, s.env, keyTenants, count, count-1)
			continue
		}
		shard, err := shardOfFile(s.file)
		if err != nil {
			errs.Add(base, "%v", err)
			continue
		}
		set := fmt.Sprint(shard["index"])
		if idx, ok := shard["index"].(float64); !ok || idx != float64(s.index) {
			errs.Add(base, "%s.shard.index is %s, not the %d its name gives", keyTenants, set, s.index)
		}
		if prev, dup := bySetIndex[s.env+"/"+set]; dup {
			errs.Add(base, "%s.shard.index %s is also set by %s: each shard has one stack", keyTenants, set, prev)
		}
		bySetIndex[s.env+"/"+set] = base
		if diff := differences(portal, s.file); len(diff) > 0 {
			errs.Add(base, "differs from Pulumi.%s.yaml in %s: a shard's stack file is the portal's but for %s.shard.index", s.env, strings.Join(diff, ", "), keyTenants)
			continue
		}
		e := envs[s.env]
		e.Shards = append(e.Shards, StackRef{Stack: s.name, Environment: s.env, Shard: s.index})
	}
	if len(files) == 0 {
		errs.Add("", "no Pulumi.<stack>.yaml in %s", root)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	out := make([]EnvironmentStacks, 0, len(envs))
	for _, name := range slices.Sorted(maps.Keys(envs)) {
		e := *envs[name]
		slices.SortFunc(e.Shards, func(a, b StackRef) int { return a.Shard - b.Shard })
		if e.Shards == nil {
			e.Shards = []StackRef{}
		}
		out = append(out, e)
	}
	return out, nil
}

// shardOfFile is the file's tenants.shard object (nil when unset).
func shardOfFile(sf *StackFile) (map[string]any, error) {
	raw, ok := sf.Values[keyTenants]
	if !ok || raw == "" {
		return nil, nil
	}
	var tenants struct {
		Shard map[string]any `json:"shard"`
	}
	if err := json.Unmarshal([]byte(raw), &tenants); err != nil {
		return nil, fmt.Errorf("%s is not an object with an object shard: %w", keyTenants, err)
	}
	return tenants.Shard, nil
}

// shardCount is the portal file's tenants.shard.count; anything but a whole number above 1
// means one stack (the stack's own validation reports a bad value).
func shardCount(sf *StackFile) int {
	shard, _ := shardOfFile(sf)
	n, ok := shard["count"].(float64)
	if !ok || n != float64(int(n)) || n < 2 {
		return 1
	}
	return int(n)
}

// differences names what tells shard's file from portal's besides tenants.shard.index: keys
// and paths, never values.
func differences(portal, shard *StackFile) []string {
	var out []string
	strip := func(sf *StackFile) map[string]string {
		m := maps.Clone(sf.Values)
		raw, ok := m[keyTenants]
		if !ok {
			return m
		}
		var t map[string]any
		if json.Unmarshal([]byte(raw), &t) != nil {
			return m
		}
		if s, ok := t["shard"].(map[string]any); ok {
			delete(s, "index")
		}
		b, _ := json.Marshal(t)
		m[keyTenants] = string(b)
		return m
	}
	p, s := strip(portal), strip(shard)
	for _, k := range slices.Sorted(maps.Keys(p)) {
		if v, ok := s[k]; !ok {
			out = append(out, k+" (unset)")
		} else if v != p[k] {
			out = append(out, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s)) {
		if _, ok := p[k]; !ok {
			out = append(out, k+" (not in the portal's)")
		}
	}
	if !slices.Equal(portal.Encrypted, shard.Encrypted) || !slices.Equal(portal.SecretObjects, shard.SecretObjects) {
		out = append(out, "the encrypted keys")
	}
	for _, k := range slices.Sorted(maps.Keys(portal.SecretLeaves)) {
		if !slices.Equal(portal.SecretLeaves[k], shard.SecretLeaves[k]) {
			out = append(out, k+" (its encrypted paths)")
		}
	}
	if portal.SecretsProvider != shard.SecretsProvider {
		out = append(out, "secretsprovider")
	}
	return out
}
