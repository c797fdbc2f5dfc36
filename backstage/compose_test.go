package backstage

import (
	"strings"
	"testing"
)

func TestCompose(t *testing.T) {
	base := Part{Name: "portal", Config: AppConfig{
		App:     &App{Title: "Core Platform", BaseURL: "https://portal.example.com"},
		Catalog: &Catalog{Locations: []Location{{Type: "file", Target: "/catalog/portal.yaml"}}},
	}}
	cases := []struct {
		name    string
		parts   []Part
		extra   map[string]any
		want    map[string]any
		wantErr string
	}{
		{
			name:  "maps merge and lists concatenate in part order",
			parts: []Part{base, {Name: "tenants", Config: AppConfig{Catalog: &Catalog{Locations: []Location{{Type: "file", Target: "/catalog/tenants.yaml"}}}}}},
			want: map[string]any{
				"app.title":                  "Core Platform",
				"catalog.locations.0.target": "/catalog/portal.yaml",
				"catalog.locations.1.target": "/catalog/tenants.yaml",
			},
		},
		{
			name:  "equal scalars from two parts agree",
			parts: []Part{base, {Name: "docs", Config: AppConfig{App: &App{Title: "Core Platform"}}}},
			want:  map[string]any{"app.title": "Core Platform"},
		},
		{
			name:    "conflicting scalars name the key and both parts",
			parts:   []Part{base, {Name: "docs", Config: AppConfig{App: &App{Title: "Other"}}}},
			wantErr: "app-config key app.title: docs sets Other but portal already set Core Platform",
		},
		{
			name:  "extra overrides last",
			parts: []Part{base},
			extra: map[string]any{"app": map[string]any{"title": "Portal"}, "permission": map[string]any{"enabled": true}},
			want:  map[string]any{"app.title": "Portal", "app.baseUrl": "https://portal.example.com", "permission.enabled": true},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Compose(tc.parts, tc.extra)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for path, want := range tc.want {
				got, ok := lookup(doc, path)
				if !ok || got != want {
					t.Errorf("%s = %v (%v), want %v", path, got, ok, want)
				}
			}
		})
	}
}

func TestComposeIsDeterministic(t *testing.T) {
	parts := []Part{{Name: "a", Config: AppConfig{Auth: &Auth{Providers: map[string]map[string]any{
		"github": {"production": map[string]any{"clientId": "x"}}, "google": {"production": map[string]any{"clientId": "y"}},
	}}}}}
	first, _ := Compose(parts, nil)
	a, _ := first.YAML()
	for i := 0; i < 20; i++ {
		again, _ := Compose(parts, nil)
		b, _ := again.YAML()
		if string(a) != string(b) {
			t.Fatalf("composition %d differs:\n%s\n%s", i, a, b)
		}
	}
}

func TestMarshalEntities(t *testing.T) {
	sys := Entity{APIVersion: "backstage.io/v1alpha1", Kind: "System", Metadata: Metadata{Name: "payments"}, Spec: map[string]any{"owner": "group:default/payments"}}
	comp := Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component", Metadata: Metadata{Name: "api", Annotations: map[string]string{AnnotationKubernetesID: "api"}}}
	b, err := MarshalEntities([]Entity{sys, comp})
	if err != nil {
		t.Fatal(err)
	}
	docs, err := UnmarshalEntities(b)
	if err != nil || len(docs) != 2 {
		t.Fatalf("round trip: %v, %d documents", err, len(docs))
	}
	if docs[0]["kind"] != "Component" || docs[1]["kind"] != "System" {
		t.Errorf("entities are not sorted by reference: %v, %v", docs[0]["kind"], docs[1]["kind"])
	}
	if _, err := MarshalEntities([]Entity{comp, comp}); err == nil || !strings.Contains(err.Error(), "defined twice") {
		t.Errorf("duplicate entity accepted: %v", err)
	}
	if _, err := MarshalEntities([]Entity{{Kind: "Component"}}); err == nil {
		t.Error("entity without name accepted")
	}
	if b, err := MarshalEntities(nil); err != nil || len(b) != 0 {
		t.Errorf("empty catalog = %q, %v", b, err)
	}
}

func lookup(d Document, path string) (any, bool) {
	var cur any = map[string]any(d)
	for _, seg := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[seg]
		case []any:
			i := int(seg[0] - '0')
			if i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, cur != nil
}
