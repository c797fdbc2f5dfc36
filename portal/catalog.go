package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/coreeng/developer-portal/backstage"
)

// AnnotationTechDocsEntity makes an entity show another entity's TechDocs.
const AnnotationTechDocsEntity = "backstage.io/techdocs-entity"

// TechDocsEntity is the entity whose documentation the portal's own entity shows: the Core
// Platform documentation this repository publishes.
const TechDocsEntity = "component:default/core-platform"

// portalCatalogName names the portal's own catalog file; no contribution may take it.
const portalCatalogName = "portal"

// CatalogEntity is the portal's own Component: its kubernetes-id annotation finds the
// portal's Deployment, Service and Ingress, and its TechDocs live beside its catalog file.
func CatalogEntity(args *Args) backstage.Entity {
	if args == nil {
		args = &Args{}
	}
	d := args.WithDefaults()
	annotations := ServiceAnnotations(d.Name, d.Namespace)
	// The portal's documentation is the Core Platform documentation, published once under
	// its own entity; this entity shows it rather than publishing a copy — when a
	// contribution (the TechDocs publisher) brings that entity, so the link never dangles.
	if contributesEntity(d.Contributions, TechDocsEntity) {
		annotations[AnnotationTechDocsEntity] = TechDocsEntity
	}
	return backstage.Entity{
		APIVersion: "backstage.io/v1alpha1",
		Kind:       "Component",
		Metadata: backstage.Metadata{
			Name:        d.Name,
			Title:       d.Title,
			Description: fmt.Sprintf("The developer portal of %s's %s: catalog, templates, docs and Kubernetes views.", d.Organization, d.Title),
			Annotations: annotations,
			Tags:        []string{"backstage", "developer-portal"},
			Links:       []backstage.Link{{URL: "https://" + d.Host(), Title: d.Title, Icon: "dashboard"}},
		},
		Spec: map[string]any{
			"type":      "website",
			"lifecycle": "production",
			"owner":     d.Owner,
		},
	}
}

func contributesEntity(parts []backstage.Contribution, ref string) bool {
	for _, c := range parts {
		for _, e := range c.Entities {
			if e.Ref() == ref {
				return true
			}
		}
	}
	return false
}

// catalogFile is one file of the generated catalog: a ConfigMap key, the path it is mounted
// at under CatalogDir (ConfigMap keys cannot hold '/'), and, for entity files, the kinds it
// holds so its location allows exactly those.
type catalogFile struct {
	Key   string
	Path  string
	Data  string
	Kinds []string
}

// catalogLayout places the portal's entity in portal/portal.yaml, each contribution's
// entities in <name>/<name>.yaml and its Files under <name>/, so a template's relative
// paths (./skeleton) resolve inside its own directory.
func catalogLayout(d *Args) ([]catalogFile, error) {
	var files []catalogFile
	add := func(name string, entities []backstage.Entity) error {
		if len(entities) == 0 {
			return nil
		}
		data, err := backstage.MarshalEntities(entities)
		if err != nil {
			return fmt.Errorf("catalog %s: %w", name, err)
		}
		files = append(files, catalogFile{
			Key:   name + ".yaml",
			Path:  name + "/" + name + ".yaml",
			Data:  string(data),
			Kinds: kinds(entities),
		})
		return nil
	}
	if err := add(portalCatalogName, []backstage.Entity{CatalogEntity(d)}); err != nil {
		return nil, err
	}
	keys := map[string]string{}
	for _, c := range d.Contributions {
		if err := add(c.Name, c.Entities); err != nil {
			return nil, err
		}
		for _, p := range slices.Sorted(maps.Keys(c.Files)) {
			key := fileKey(c.Name, p)
			if prev, dup := keys[key]; dup {
				return nil, fmt.Errorf("contribution %s: files %q and %q map to the same ConfigMap key", c.Name, prev, p)
			}
			keys[key] = p
			files = append(files, catalogFile{Key: key, Path: c.Name + "/" + p, Data: c.Files[p]})
		}
	}
	return files, nil
}

// fileKey maps a file path to a ConfigMap key ([-._a-zA-Z0-9]): "/" becomes "__", and a path
// holding other characters (a template skeleton's "${{ values.name }}.yaml") is made safe and
// suffixed with a hash of the original, so distinct paths never share a key.
func fileKey(contribution, p string) string {
	safe := keyUnsafe.ReplaceAllString(strings.ReplaceAll(p, "/", "__"), "_")
	if safe != strings.ReplaceAll(p, "/", "__") {
		sum := sha256.Sum256([]byte(p))
		safe += "-" + hex.EncodeToString(sum[:4])
	}
	return contribution + "__" + safe
}

var keyUnsafe = regexp.MustCompile(`[^-._a-zA-Z0-9]`)

func catalogLocations(files []catalogFile) []backstage.Location {
	var out []backstage.Location
	for _, f := range files {
		if len(f.Kinds) == 0 {
			continue
		}
		out = append(out, backstage.Location{
			Type:   "file",
			Target: CatalogDir + "/" + f.Path,
			Rules:  []backstage.CatalogRule{{Allow: f.Kinds}},
		})
	}
	return out
}

// livePart is one part of a contribution's live catalog (backstage.Contribution.Parts): a
// ConfigMap of its own, whose files the image's live catalog module writes under
// LiveCatalogDir. Its entity file is always there, empty or not, so the app-config (and with
// it the pod template) does not change with what the part holds.
type livePart struct {
	Contribution string
	Index        int
	Files        []catalogFile // paths relative to LiveCatalogDir
}

// ConfigMapName is the part's ConfigMap's name for the portal named portal.
func (p livePart) ConfigMapName(portal string) string {
	return fmt.Sprintf("%s-catalog-%s-%d", portal, p.Contribution, p.Index)
}

// Each part's entities are in <contribution>/part-<i>.yaml, read by one location per
// contribution through a glob: adding a part adds no location.
const (
	// LivePartKey is a part's entity file's key in its ConfigMap.
	LivePartKey  = "entities.yaml"
	livePartGlob = "part-*.yaml"
)

func livePartPath(contribution string, i int) string {
	return fmt.Sprintf("%s/part-%d.yaml", contribution, i)
}

// livePartFiles are part i's keys and paths: its entity file first (without its data), then
// its Files (with theirs). The app-config lists the same keys and paths, so the module writes
// each key where the catalog locations expect it.
func livePartFiles(contribution string, i int, part backstage.CatalogPart) []catalogFile {
	out := []catalogFile{{Key: LivePartKey, Path: livePartPath(contribution, i)}}
	for _, p := range slices.Sorted(maps.Keys(part.Files)) {
		out = append(out, catalogFile{Key: fileKey(contribution, p), Path: contribution + "/" + p, Data: part.Files[p]})
	}
	return out
}

// liveLayout lays out every contribution's live catalog, part by part.
func liveLayout(d *Args) ([]livePart, error) {
	var out []livePart
	for _, c := range d.Contributions {
		for i, part := range c.Parts {
			data, err := backstage.MarshalEntities(part.Entities)
			if err != nil {
				return nil, fmt.Errorf("catalog %s part %d: %w", c.Name, i, err)
			}
			lp := livePart{Contribution: c.Name, Index: i, Files: livePartFiles(c.Name, i, part)}
			lp.Files[0].Data, lp.Files[0].Kinds = string(data), kinds(part.Entities)
			out = append(out, lp)
		}
	}
	return out, nil
}

// liveConfigMaps are the live catalog's ConfigMaps as the app-config names them for the
// image's live catalog module: names, keys and paths, none of the data, so the app-config
// changes only when the number of parts does.
func liveConfigMaps(d *Args) []backstage.LiveConfigMap {
	var out []backstage.LiveConfigMap
	for _, c := range d.Contributions {
		for i, part := range c.Parts {
			cm := backstage.LiveConfigMap{Name: livePart{Contribution: c.Name, Index: i}.ConfigMapName(d.Name)}
			for _, f := range livePartFiles(c.Name, i, part) {
				cm.Items = append(cm.Items, backstage.LiveFileItem{Key: f.Key, Path: f.Path})
			}
			out = append(out, cm)
		}
	}
	return out
}

// liveLocations is one location per contribution with a live catalog, allowing the kinds its
// parts hold. It reads the entities' kinds only: the app-config does not need their YAML.
func liveLocations(d *Args) []backstage.Location {
	var out []backstage.Location
	for _, c := range d.Contributions {
		var all []backstage.Entity
		for _, p := range c.Parts {
			all = append(all, p.Entities...)
		}
		if k := kinds(all); len(k) > 0 {
			out = append(out, backstage.Location{
				Type:   "file",
				Target: LiveCatalogDir + "/" + c.Name + "/" + livePartGlob,
				Rules:  []backstage.CatalogRule{{Allow: k}},
			})
		}
	}
	return out
}

// hasLiveCatalog reports whether a contribution brings a live catalog.
func hasLiveCatalog(d *Args) bool {
	for _, c := range d.Contributions {
		if len(c.Parts) > 0 {
			return true
		}
	}
	return false
}

func kinds(entities []backstage.Entity) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range entities {
		if !seen[e.Kind] {
			seen[e.Kind] = true
			out = append(out, e.Kind)
		}
	}
	sort.Strings(out)
	return out
}
