package stack

import (
	"encoding/json"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Namespace is the project's config namespace: every key is "developer-portal:<key>".
const Namespace = "developer-portal"

// Source is where the stack reads its configuration from: the Pulumi engine, or a stack file
// for the offline plan and tests.
type Source interface {
	// Get returns the value of a full key ("developer-portal:portal"); objects arrive as JSON.
	Get(key string) (string, bool)
	// IsSecret reports whether the key is held as a Pulumi secret.
	IsSecret(key string) bool
	// Keys lists every key set for the stack, or nil when the source cannot list them.
	Keys() []string
	// SecretPaths lists the paths of the encrypted values inside a full key, the key itself
	// when it is encrypted whole ("developer-portal:portal.extraAppConfig.x.y"); known is
	// false when the source cannot tell.
	SecretPaths(key string) (paths []string, known bool)
}

// FromContext reads configuration the way `pulumi up` provides it. The engine passes the whole
// config map in PULUMI_CONFIG as well, which is how unknown keys are found; inline Automation API
// programs do not get it, and then only the known keys are read.
func FromContext(ctx *pulumi.Context) Source {
	var keys []string
	if raw := os.Getenv(pulumi.EnvConfig); raw != "" {
		var all map[string]string
		if json.Unmarshal([]byte(raw), &all) == nil {
			for k := range all {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		}
	}
	return contextSource{ctx: ctx, keys: keys, secretPaths: stackFileSecretPaths(ctx.Stack())}
}

type contextSource struct {
	ctx         *pulumi.Context
	keys        []string
	secretPaths map[string][]string
}

func (s contextSource) SecretPaths(key string) ([]string, bool) {
	if s.secretPaths == nil {
		return nil, false
	}
	return s.secretPaths[key], true
}

func (s contextSource) Get(key string) (string, bool) { return s.ctx.GetConfig(key) }
func (s contextSource) IsSecret(key string) bool      { return s.ctx.IsConfigSecret(key) }
func (s contextSource) Keys() []string                { return s.keys }

// MapSource is configuration held in memory: full keys to values (objects as JSON), and the
// keys that are secrets.
type MapSource struct {
	Values  map[string]string
	Secrets map[string]bool
	// SecretLeaves are the paths of the encrypted values inside object keys (see
	// Source.SecretPaths); a secret key without an entry is encrypted whole.
	SecretLeaves map[string][]string
}

// SecretPaths lists the encrypted paths of key.
func (s MapSource) SecretPaths(key string) ([]string, bool) {
	if leaves, ok := s.SecretLeaves[key]; ok {
		return leaves, true
	}
	if s.Secrets[key] {
		return []string{key}, true
	}
	return nil, true
}

// Get returns the value of a full key, and whether it is set.
func (s MapSource) Get(key string) (string, bool) { v, ok := s.Values[key]; return v, ok }

// IsSecret reports whether a full key holds a secret.
func (s MapSource) IsSecret(key string) bool { return s.Secrets[key] }

// Keys returns the full keys that are set, sorted.
func (s MapSource) Keys() []string {
	keys := slices.Sorted(maps.Keys(s.Values))
	return keys
}

// SecretKeys lists the secret keys, for pulumi.RunInfo.ConfigSecretKeys.
func (s MapSource) SecretKeys() []string {
	var keys []string
	for k, secret := range s.Secrets {
		if secret {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

func fullKey(key string) string { return Namespace + ":" + key }

func inNamespace(key string) (string, bool) {
	return strings.CutPrefix(key, Namespace+":")
}
