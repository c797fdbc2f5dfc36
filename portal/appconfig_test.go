package portal

import (
	"reflect"
	"strings"
	"testing"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/coreeng/developer-portal/cloud"
)

func TestAppConfigMergesContributionsInOrderThenExtra(t *testing.T) {
	args := validArgs()
	docs := backstage.Contribution{Name: "docs", Config: backstage.AppConfig{
		TechDocs: &backstage.TechDocs{Builder: "external", Publisher: &backstage.TechDocsPublisher{
			Type: "googleGcs", GoogleGCS: &backstage.BucketSettings{BucketName: "docs"}}},
	}}
	args.Contributions = []backstage.Contribution{fakeContribution(), docs}
	args.ExtraAppConfig = map[string]any{"scaffolder": map[string]any{"defaultCommitMessage": "Acme Portal"}}
	doc, err := AppConfig(args)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := doc.Get("scaffolder.defaultCommitMessage"); v != "Acme Portal" {
		t.Errorf("extraAppConfig did not land: scaffolder.defaultCommitMessage = %v", v)
	}
	if v, _ := doc.Get("techdocs.publisher.googleGcs.bucketName"); v != "docs" {
		t.Errorf("docs contribution missing: %v", v)
	}
	locs, _ := doc.Get("catalog.locations")
	var targets []string
	for _, l := range locs.([]any) {
		targets = append(targets, l.(map[string]any)["target"].(string))
	}
	want := "/catalog/portal/portal.yaml,/catalog/github/github.yaml"
	if strings.Join(targets, ",") != want {
		t.Errorf("locations in order %v, want %s", targets, want)
	}
	again, _ := AppConfig(args)
	a, _ := doc.YAML()
	b, _ := again.YAML()
	if string(a) != string(b) {
		t.Error("AppConfig is not deterministic")
	}
}

func TestAppConfigConflictingContributionsFail(t *testing.T) {
	args := validArgs()
	args.Contributions = []backstage.Contribution{
		{Name: "one", Config: backstage.AppConfig{Scaffolder: &backstage.Scaffolder{DefaultCommitMessage: "one"}}},
		{Name: "two", Config: backstage.AppConfig{Scaffolder: &backstage.Scaffolder{DefaultCommitMessage: "two"}}},
	}
	_, err := AppConfig(args)
	if err == nil || !strings.Contains(err.Error(), "scaffolder.defaultCommitMessage") || !strings.Contains(err.Error(), "contribution two") {
		t.Errorf("conflict not reported: %v", err)
	}
}

func TestCatalogEntity(t *testing.T) {
	e := CatalogEntity(&Args{Hostname: "portal", Domain: "example.com", Name: "idp", Namespace: "tools",
		Contributions: []backstage.Contribution{fakeContribution()}})
	want := map[string]string{
		backstage.AnnotationKubernetesID:        "idp",
		backstage.AnnotationKubernetesNamespace: "tools",
		AnnotationTechDocsEntity:                TechDocsEntity,
	}
	for k, v := range want {
		if e.Metadata.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, e.Metadata.Annotations[k], v)
		}
	}
	if e.Kind != "Component" || e.Metadata.Name != "idp" || e.Spec.(map[string]any)["owner"] != DefaultOwner ||
		e.Metadata.Links[0].URL != "https://portal.example.com" {
		t.Errorf("entity = %+v", e)
	}
	// Without the documentation entity in the catalog the annotation would dangle.
	if _, ok := CatalogEntity(&Args{Hostname: "portal", Domain: "example.com"}).Metadata.Annotations[AnnotationTechDocsEntity]; ok {
		t.Error("techdocs-entity annotation without a documentation entity in the catalog")
	}
	if CatalogEntity(nil).Metadata.Name != DefaultName {
		t.Error("CatalogEntity(nil) has no default name")
	}
}

func TestAlertRule(t *testing.T) {
	r := AlertRule(validArgs())
	if r["alert"] != AlertName || !strings.Contains(r["expr"].(string), `up{namespace="developer-portal",job="developer-portal"}`) {
		t.Errorf("rule = %v", r)
	}
}

func TestAppConfigPermissionPolicyInput(t *testing.T) {
	cases := []struct {
		name, adminGroup, want string
	}{
		{"the stack's team", "platform-team", "group:default/platform-team"},
		{"another team", "portal-admins", "group:default/portal-admins"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := validArgs()
			args.AdminGroup = c.adminGroup
			doc, err := AppConfig(args)
			if err != nil {
				t.Fatal(err)
			}
			// Without permission.enabled Backstage never asks the image's policy.
			if v, _ := doc.Get("permission.enabled"); v != true {
				t.Errorf("permission.enabled = %v, want true", v)
			}
			if v, _ := doc.Get("corePlatform.adminGroup"); v != c.want {
				t.Errorf("corePlatform.adminGroup = %v, want %s", v, c.want)
			}
		})
	}
}

// TestAppConfigRDSIAM: with IAM logins on AWS the backend signs RDS IAM tokens
// (connection.type rds) for the generated host, port, user and region, verifies the server
// against the mounted CA, and no password exists: not in the config, the Secret or the env.
func TestAppConfigRDSIAM(t *testing.T) {
	args := validArgs()
	args.Database.Auth, args.Database.Cloud, args.Database.Password = cloud.AuthIAM, cloud.AWS, nil
	args.Database.Region = "eu-west-2"
	doc, err := AppConfig(args)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"type": "rds", "host": "${POSTGRES_HOST}", "port": "${POSTGRES_PORT}", "user": "${POSTGRES_USER}",
		"database": "${POSTGRES_DB}", "region": "eu-west-2",
		"ssl": map[string]any{"rejectUnauthorized": true, "ca": map[string]any{"$file": DatabaseCAPath}},
	}
	got, _ := doc.Get("backend.database.connection")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("backend.database.connection = %#v\nwant %#v", got, want)
	}
}
