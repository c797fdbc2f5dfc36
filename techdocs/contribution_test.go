package techdocs

import (
	"reflect"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
)

func TestContributionConfig(t *testing.T) {
	cases := map[string]struct {
		args *Args
		want map[string]any
		none []string
	}{
		"gcp": {
			args: gcpArgs(),
			want: map[string]any{
				"techdocs.builder":                        "external",
				"techdocs.publisher.type":                 "googleGcs",
				"techdocs.publisher.googleGcs.bucketName": "cecg-dev-techdocs",
				"techdocs.publisher.googleGcs.projectId":  "cecg-platform-dev",
			},
			none: []string{"techdocs.publisher.awsS3", "techdocs.generator", "techdocs.publisher.googleGcs.credentials"},
		},
		"aws": {
			args: awsArgs(),
			want: map[string]any{
				"techdocs.builder":                    "external",
				"techdocs.publisher.type":             "awsS3",
				"techdocs.publisher.awsS3.bucketName": "cecg-dev-techdocs",
				"techdocs.publisher.awsS3.region":     "eu-west-2",
			},
			none: []string{"techdocs.publisher.googleGcs", "techdocs.publisher.awsS3.credentials"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			contrib, err := Contribution(c.args)
			if err != nil {
				t.Fatal(err)
			}
			if contrib.Name != "techdocs" || len(contrib.SecretEnv) != 0 || len(contrib.Env) != 0 {
				t.Errorf("name %q, secretEnv %v, env %v: want techdocs and no environment (workload identity)", contrib.Name, contrib.SecretEnv, contrib.Env)
			}
			doc, err := backstage.Compose([]backstage.Part{{Name: contrib.Name, Config: contrib.Config}}, nil)
			if err != nil {
				t.Fatal(err)
			}
			for path, want := range c.want {
				if got, _ := doc.Get(path); got != want {
					t.Errorf("%s = %#v, want %#v", path, got, want)
				}
			}
			for _, path := range c.none {
				if v, ok := doc.Get(path); ok {
					t.Errorf("%s is set (%v)", path, v)
				}
			}
		})
	}
}

func TestContributionEntity(t *testing.T) {
	args := gcpArgs()
	args.Repository = "cecg/developer-portal"
	contrib, err := Contribution(args)
	if err != nil {
		t.Fatal(err)
	}
	data, err := backstage.MarshalEntities(contrib.Entities)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := backstage.UnmarshalEntities(data)
	if err != nil || len(docs) != 1 {
		t.Fatalf("entities = %v, %v", docs, err)
	}
	e := docs[0]
	want := map[string]any{
		"apiVersion": "backstage.io/v1alpha1",
		"kind":       "Component",
		"metadata": map[string]any{
			"name":        "core-platform",
			"namespace":   "default",
			"title":       "Core Platform",
			"description": e["metadata"].(map[string]any)["description"],
			"annotations": map[string]any{
				"backstage.io/techdocs-ref":    "dir:.",
				"github.com/project-slug":      "cecg/developer-portal",
				"backstage.io/source-location": "url:https://github.com/cecg/developer-portal/",
			},
			"tags": []any{"core-platform", "documentation"},
			"links": []any{map[string]any{
				"url": "https://github.com/cecg/developer-portal/tree/main/docs", "title": "Documentation source", "icon": "github",
			}},
		},
		"spec": map[string]any{"type": "documentation", "lifecycle": "production", "owner": "group:default/platform-team"},
	}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("entity:\n got %#v\nwant %#v", e, want)
	}
	// The entity CI publishes under is this entity.
	ref := contrib.Entities[0].Ref()
	if ref != EntityRef || PublishEntity != "default/Component/core-platform" {
		t.Errorf("entity ref %q, EntityRef %q, PublishEntity %q", ref, EntityRef, PublishEntity)
	}
}

func TestEntityWithoutRepository(t *testing.T) {
	args := awsArgs()
	args.Owner = "group:default/cecg-platform"
	e, err := Entity(args)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Metadata.Annotations) != 1 || e.Metadata.Annotations[backstage.AnnotationTechDocsRef] != "dir:." {
		t.Errorf("annotations = %v, want only the techdocs-ref", e.Metadata.Annotations)
	}
	if e.Spec.(ComponentSpec).Owner != "group:default/cecg-platform" {
		t.Errorf("owner = %v", e.Spec)
	}
}
