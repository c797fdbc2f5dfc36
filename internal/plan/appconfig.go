package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/coreeng/developer-portal/internal/offline"
)

// AppConfig returns the generated Backstage app-config: the app-config file held in the
// portal's ConfigMap, exactly as the pods read it.
func AppConfig(resources []offline.Resource) (string, error) {
	var found []string
	for _, r := range resources {
		if r.Type != "kubernetes:core/v1:ConfigMap" {
			continue
		}
		data, ok := r.Plain("data").(map[string]any)
		if !ok {
			continue
		}
		keys := slices.Sorted(maps.Keys(data))
		for _, k := range keys {
			if strings.HasPrefix(k, "app-config") && strings.HasSuffix(k, ".yaml") {
				if s, ok := data[k].(string); ok {
					found = append(found, s)
				}
			}
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("want one app-config file in the portal's ConfigMaps, found %d", len(found))
	}
	return found[0], nil
}
