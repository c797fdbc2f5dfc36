package portal

import (
	"fmt"

	"github.com/coreeng/developer-portal/backstage"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// AlertRule is the rule that fires when no portal pod can be scraped: the portal is down or
// unreachable from inside the cluster.
func AlertRule(args *Args) map[string]any {
	if args == nil {
		args = &Args{}
	}
	d := args.WithDefaults()
	selector := fmt.Sprintf(`{namespace=%q,job=%q}`, d.Namespace, d.Name)
	return map[string]any{
		"alert": AlertName,
		"expr":  fmt.Sprintf("max(up%s) == 0 or absent(up%s)", selector, selector),
		"for":   "5m",
		"labels": map[string]any{
			"severity": "critical",
		},
		"annotations": map[string]any{
			"summary":     "The developer portal is unreachable",
			"description": fmt.Sprintf("No pod of %s/%s has answered a scrape for 5 minutes: https://%s is down.", d.Namespace, d.Name, d.Host()),
		},
	}
}

func (b *built) newMonitoring() error {
	d := b.d
	var group, scrapeKind, rulesKind string
	switch d.Monitoring.Kind {
	case MonitoringPodMonitoring:
		group, scrapeKind, rulesKind = "monitoring.googleapis.com/v1", "PodMonitoring", "Rules"
	case MonitoringServiceMonitor:
		group, scrapeKind, rulesKind = "monitoring.coreos.com/v1", "ServiceMonitor", "PrometheusRule"
	default:
		return nil
	}
	endpoint := pulumi.Map{
		"port":     pulumi.String("metrics"),
		"path":     pulumi.String(d.Monitoring.Path),
		"interval": pulumi.String(d.Monitoring.Interval),
	}
	spec := pulumi.Map{
		"selector":  pulumi.Map{"matchLabels": b.selector},
		"endpoints": pulumi.Array{endpoint},
	}
	labels := pulumi.StringMap{}
	for k, v := range b.labels {
		labels[k] = v
	}
	for k, v := range d.Monitoring.RuleLabels {
		labels[k] = pulumi.String(v)
	}
	if scrapeKind == "ServiceMonitor" {
		spec["namespaceSelector"] = pulumi.Map{"matchNames": pulumi.StringArray{b.namespace}}
	}
	meta := func(name string) *metav1.ObjectMetaArgs {
		return &metav1.ObjectMetaArgs{Name: pulumi.String(name), Namespace: b.namespace, Labels: labels}
	}
	if _, err := apiextensions.NewCustomResource(b.ctx, b.name+"-scrape", &apiextensions.CustomResourceArgs{
		ApiVersion:  pulumi.String(group),
		Kind:        pulumi.String(scrapeKind),
		Metadata:    meta(d.Name),
		OtherFields: map[string]any{"spec": spec},
	}, b.parent); err != nil {
		return err
	}
	rule, err := backstage.Generic(AlertRule(d))
	if err != nil {
		return err
	}
	_, err = apiextensions.NewCustomResource(b.ctx, b.name+"-alerts", &apiextensions.CustomResourceArgs{
		ApiVersion: pulumi.String(group),
		Kind:       pulumi.String(rulesKind),
		Metadata:   meta(d.Name + "-alerts"),
		OtherFields: map[string]any{"spec": map[string]any{
			"groups": []any{map[string]any{
				"name":     d.Name,
				"interval": d.Monitoring.Interval,
				"rules":    []any{rule},
			}},
		}},
	}, b.parent)
	return err
}
