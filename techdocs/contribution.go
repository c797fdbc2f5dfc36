package techdocs

import (
	"fmt"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
)

// The documentation entity. CI publishes under PublishEntity, which must name this entity:
// the portal looks for the site under the entity's own namespace/kind/name.
const (
	EntityNamespace = "default"
	EntityKind      = "Component"
	EntityName      = "core-platform"
	// PublishEntity is the value of `techdocs-cli publish --entity` (namespace/Kind/name).
	PublishEntity = EntityNamespace + "/" + EntityKind + "/" + EntityName
	// EntityRef is the entity's reference, for other entities that show these docs through
	// AnnotationTechDocsEntity.
	EntityRef = "component:" + EntityNamespace + "/" + EntityName
	// TechDocsRef is the entity's techdocs-ref: the docs are built from the root of the
	// repository that holds mkdocs.yml.
	TechDocsRef = "dir:."
	// AnnotationTechDocsEntity lets another entity (the portal's own Component, say) show this
	// entity's documentation instead of publishing a copy of its own.
	AnnotationTechDocsEntity = "backstage.io/techdocs-entity"
	// ContributionName names the contribution (and its catalog file) in the portal.
	ContributionName = "techdocs"
)

// Publisher types as Backstage's techdocs.publisher.type spells them.
const (
	PublisherGoogleGCS = "googleGcs"
	PublisherAWSS3     = "awsS3"
)

// ComponentSpec is the spec of the documentation Component.
type ComponentSpec struct {
	Type      string `yaml:"type" json:"type"`
	Lifecycle string `yaml:"lifecycle" json:"lifecycle"`
	Owner     string `yaml:"owner" json:"owner"`
}

// PublisherType is the techdocs.publisher.type for a cloud ("" for an unknown cloud).
func PublisherType(provider string) string {
	switch provider {
	case cloud.GCP:
		return PublisherGoogleGCS
	case cloud.AWS:
		return PublisherAWSS3
	}
	return ""
}

// Contribution is what the portal needs from the publisher: TechDocs configured for the
// external builder and this bucket (credentials come from the pod's workload identity, so
// none appear), and the documentation entity. It registers nothing.
func Contribution(args *Args) (backstage.Contribution, error) {
	if err := args.validate(); err != nil {
		return backstage.Contribution{}, err
	}
	a := new(args.WithDefaults())
	return backstage.Contribution{
		Name:     ContributionName,
		Config:   backstage.AppConfig{TechDocs: techDocsConfig(a)},
		Entities: []backstage.Entity{entity(a)},
	}, nil
}

// Entity is the documentation's catalog entity, as Contribution returns it.
func Entity(args *Args) (backstage.Entity, error) {
	if err := args.validate(); err != nil {
		return backstage.Entity{}, err
	}
	return entity(new(args.WithDefaults())), nil
}

func techDocsConfig(a *Args) *backstage.TechDocs {
	publisher := &backstage.TechDocsPublisher{Type: PublisherType(a.Cloud)}
	switch a.Cloud {
	case cloud.GCP:
		publisher.GoogleGCS = &backstage.BucketSettings{BucketName: a.BucketName, ProjectID: a.Project}
	case cloud.AWS:
		publisher.AWSS3 = &backstage.BucketSettings{BucketName: a.BucketName, Region: a.Region}
	}
	return &backstage.TechDocs{Builder: "external", Publisher: publisher}
}

func entity(a *Args) backstage.Entity {
	annotations := map[string]string{backstage.AnnotationTechDocsRef: TechDocsRef}
	var links []backstage.Link
	if a.Repository != "" {
		annotations[backstage.AnnotationGitHubProjectSlug] = a.Repository
		url := fmt.Sprintf("https://github.com/%s", a.Repository)
		annotations[backstage.AnnotationSourceLocation] = "url:" + url + "/"
		links = append(links, backstage.Link{URL: url + "/tree/main/docs", Title: "Documentation source", Icon: "github"})
	}
	return backstage.Entity{
		APIVersion: "backstage.io/v1alpha1",
		Kind:       EntityKind,
		Metadata: backstage.Metadata{
			Name:        EntityName,
			Namespace:   EntityNamespace,
			Title:       "Core Platform",
			Description: "Technical documentation of the Core Platform: onboarding for tenants, and the developer portal's architecture and runbooks for platform operators.",
			Annotations: annotations,
			Tags:        []string{"core-platform", "documentation"},
			Links:       links,
		},
		Spec: ComponentSpec{Type: "documentation", Lifecycle: "production", Owner: a.Owner},
	}
}
