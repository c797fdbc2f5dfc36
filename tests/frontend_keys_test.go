package tests

import (
	"testing"

	"github.com/coreeng/developer-portal/backstage"
)

// TestFrontendKeysCoverWhatThePortalSends: the keys the checks rely on are in the derived list.
func TestFrontendKeysCoverWhatThePortalSends(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range backstage.FrontendKeys() {
		keys[k] = true
	}
	for _, k := range []string{"app.title", "app.baseUrl", "organization.name", "backend.baseUrl", "app.support.url",
		"techdocs.builder", "kubernetes.clusterLocatorMethods[].clusters[].url"} {
		if !keys[k] {
			t.Errorf("%s is not a frontend key", k)
		}
	}
}
