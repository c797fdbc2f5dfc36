package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// lockfile is where the portal image's npm packages are pinned (Yarn's, a YAML document).
const lockfile = "../../app/yarn.lock"

// backendWorkspace is the backend's entry in the lockfile.
const backendWorkspace = "backend@workspace:packages/backend"

// TestImageSBOM checks the SBOM that .ci/image writes for the built portal image
// (PORTAL_SBOM, SPDX JSON from syft): every Backstage package the backend depends on is in the
// image at the version app/yarn.lock pins.
func TestImageSBOM(t *testing.T) {
	var sbomPath string
	lookupEnv(t, "the portal image's SBOM", map[string]*string{"PORTAL_SBOM": &sbomPath})
	want, err := backendBackstagePackages(lockfile)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(sbomPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sbomNPMPackages(raw)
	if err != nil {
		t.Fatalf("%s: %v", sbomPath, err)
	}
	for _, p := range missingPackages(want, got) {
		t.Error(p)
	}
	t.Logf("%d Backstage packages of the backend checked against %d npm packages in the SBOM", len(want), len(got))
}

// TestSBOMCheck runs the SBOM check on made-up SBOMs: it must report a package that is absent
// or at another version than the lockfile's.
func TestSBOMCheck(t *testing.T) {
	lock := map[string]string{"@backstage/plugin-catalog-backend": "4.0.5", "@backstage/backend-defaults": "0.19.0"}
	sbom := func(purls ...string) []byte {
		var pkgs []map[string]any
		for _, p := range purls {
			pkgs = append(pkgs, map[string]any{"name": "x", "externalRefs": []map[string]string{
				{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p},
			}})
		}
		b, _ := json.Marshal(map[string]any{"spdxVersion": "SPDX-2.3", "packages": pkgs})
		return b
	}
	tests := []struct {
		name    string
		sbom    []byte
		missing int
	}{
		{"all at the lockfile's versions", sbom("pkg:npm/%40backstage/plugin-catalog-backend@4.0.5", "pkg:npm/%40backstage/backend-defaults@0.19.0", "pkg:deb/debian/libc6@2.36"), 0},
		{"one at another version", sbom("pkg:npm/%40backstage/plugin-catalog-backend@4.0.4", "pkg:npm/%40backstage/backend-defaults@0.19.0"), 1},
		{"one absent", sbom("pkg:npm/%40backstage/backend-defaults@0.19.0"), 1},
		{"no npm packages", sbom("pkg:deb/debian/libc6@2.36"), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sbomNPMPackages(tt.sbom)
			if err != nil {
				t.Fatal(err)
			}
			if m := missingPackages(lock, got); len(m) != tt.missing {
				t.Errorf("want %d missing, got %v", tt.missing, m)
			}
		})
	}
	if _, err := sbomNPMPackages([]byte(`{"packages": []}`)); err == nil {
		t.Error("an SBOM that is not SPDX must be an error")
	}
	// The committed lockfile: the backend's Backstage packages, each at one pinned version.
	pinned, err := backendBackstagePackages(lockfile)
	if err != nil {
		t.Fatal(err)
	}
	if v := pinned["@backstage/backend-defaults"]; v == "" || strings.ContainsAny(v, "^~<>=*") {
		t.Errorf("@backstage/backend-defaults: want a pinned version from the lockfile, got %q (all: %v)", v, pinned)
	}
}

// backendBackstagePackages returns the backend's @backstage/* dependencies and the version the
// lockfile resolves each to. A Yarn lockfile's keys list the descriptors (name@range, comma
// separated) one resolution serves; the backend's entry names its dependencies' descriptors.
func backendBackstagePackages(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	type entry struct {
		Version      string            `yaml:"version"`
		Dependencies map[string]string `yaml:"dependencies"`
	}
	var lock map[string]entry
	if err := yaml.Unmarshal(raw, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if _, ok := lock["__metadata"]; !ok {
		return nil, fmt.Errorf("%s: not a Yarn lockfile (no __metadata)", path)
	}
	byDescriptor := map[string]string{}
	for key, e := range lock {
		for _, d := range strings.Split(key, ",") {
			byDescriptor[strings.TrimSpace(d)] = e.Version
		}
	}
	ws, ok := lock[backendWorkspace]
	if !ok {
		return nil, fmt.Errorf("%s: no %s entry", path, backendWorkspace)
	}
	out := map[string]string{}
	for name, rng := range ws.Dependencies {
		if !strings.HasPrefix(name, "@backstage/") {
			continue
		}
		v := byDescriptor[name+"@"+rng]
		if v == "" {
			return nil, fmt.Errorf("%s: %s@%s (a dependency of the backend) resolves to nothing", path, name, rng)
		}
		out[name] = v
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: the backend depends on no @backstage package", path)
	}
	return out, nil
}

// sbomNPMPackages returns the npm packages of an SPDX JSON SBOM, as name to the set of
// versions present, from each package's purl.
func sbomNPMPackages(raw []byte) (map[string]map[string]bool, error) {
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			ExternalRefs []struct {
				Type    string `json:"referenceType"`
				Locator string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(doc.SPDXVersion, "SPDX-") {
		return nil, fmt.Errorf("not an SPDX document (spdxVersion %q)", doc.SPDXVersion)
	}
	out := map[string]map[string]bool{}
	for _, p := range doc.Packages {
		for _, ref := range p.ExternalRefs {
			rest, ok := strings.CutPrefix(ref.Locator, "pkg:npm/")
			if ref.Type != "purl" || !ok {
				continue
			}
			rest, _, _ = strings.Cut(rest, "?")
			rest, _, _ = strings.Cut(rest, "#")
			at := strings.LastIndex(rest, "@")
			if at <= 0 {
				continue
			}
			name, err := url.PathUnescape(rest[:at])
			if err != nil {
				return nil, fmt.Errorf("purl %q: %w", ref.Locator, err)
			}
			if out[name] == nil {
				out[name] = map[string]bool{}
			}
			out[name][rest[at+1:]] = true
		}
	}
	return out, nil
}

// missingPackages lists each wanted package the SBOM does not hold at the wanted version.
func missingPackages(want map[string]string, got map[string]map[string]bool) []string {
	var out []string
	for name, version := range want {
		if got[name][version] {
			continue
		}
		var have []string
		for v := range got[name] {
			have = append(have, v)
		}
		sort.Strings(have)
		out = append(out, fmt.Sprintf("%s@%s (the lockfile's) is not in the SBOM (versions there: %v)", name, version, have))
	}
	sort.Strings(out)
	return out
}
