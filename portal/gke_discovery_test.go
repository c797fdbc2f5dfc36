package portal

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// clusterLocators returns the generated clusterLocatorMethods as plain maps.
func clusterLocators(t *testing.T, args *Args) []map[string]any {
	t.Helper()
	doc, err := AppConfig(args)
	if err != nil {
		t.Fatal(err)
	}
	methods, _ := doc.Get("kubernetes.clusterLocatorMethods")
	b, _ := yaml.Marshal(methods)
	var got []map[string]any
	if err := yaml.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	return got
}

// On GKE, discovery of the platform's project would list the platform cluster again under its
// GKE name with the project-wide Google identity: the gke locator only keeps labelled clusters,
// and the platform cluster stays listed once, by the config locator, with its ServiceAccount.
func TestGKEDiscoveryNeverListsThePlatformClusterTwice(t *testing.T) {
	cases := []struct {
		name       string
		identity   string
		labels     map[string]string
		wantErr    string
		wantLabels []any
	}{
		{"on GKE without labels", IdentityGKE, nil, "kubernetes.gke.matchingResourceLabels: is required when the portal runs on GKE", nil},
		{"on GKE with labels", IdentityGKE, map[string]string{"portal-discovery": "enabled", "env": "prod"}, "",
			[]any{map[string]any{"key": "env", "value": "prod"}, map[string]any{"key": "portal-discovery", "value": "enabled"}}},
		{"not on GKE", "", nil, "", nil},
		{"bad label", IdentityGKE, map[string]string{"Portal": "x"}, `kubernetes.gke.matchingResourceLabels.Portal: "Portal"="x" is not a GCP resource label`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := validArgs()
			args.CloudIdentity = tc.identity
			args.Kubernetes.GKE = &GKE{ProjectID: "my-project", Region: "europe-west2", MatchingResourceLabels: tc.labels}
			err := args.Validate()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := clusterLocators(t, args)
			if len(got) != 2 || got[0]["type"] != "config" || got[1]["type"] != "gke" {
				t.Fatalf("locators = %v", got)
			}
			clusters := got[0]["clusters"].([]any)
			if len(clusters) != 1 || clusters[0].(map[string]any)["name"] != "dev" || clusters[0].(map[string]any)["authProvider"] != "serviceAccount" {
				t.Errorf("config clusters = %v, want only the platform cluster through its ServiceAccount", clusters)
			}
			labels, _ := got[1]["matchingResourceLabels"].([]any)
			if len(labels) != len(tc.wantLabels) {
				t.Fatalf("matchingResourceLabels = %v, want %v", labels, tc.wantLabels)
			}
			for i := range labels {
				w := tc.wantLabels[i].(map[string]any)
				g := labels[i].(map[string]any)
				if g["key"] != w["key"] || g["value"] != w["value"] {
					t.Errorf("label %d = %v, want %v", i, g, w)
				}
			}
		})
	}
}
