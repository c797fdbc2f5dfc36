package portal

import (
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// cloudSQLConnectorPort is where the Cloud SQL connector reaches the instance's server-side
// proxy (IAM authentication on GCP).
const cloudSQLConnectorPort = 3307

// gkeMetadataServer is where GKE Workload Identity serves tokens, per dataplane.
var gkeMetadataServer = []struct {
	cidr string
	port int
}{{"169.254.169.254/32", 80}, {"169.254.169.252/32", 988}}

// newNetworkPolicy isolates the pods: ingress only from the ingress controller (and the
// metrics scraper), egress only to DNS, the database, the Kubernetes API and HTTPS (GitHub,
// cloud APIs, other clusters).
func (b *built) newNetworkPolicy() error {
	d := b.d
	np := d.NetworkPolicy
	nsPeer := func(ns string) networkingv1.NetworkPolicyPeerArray {
		return networkingv1.NetworkPolicyPeerArray{networkingv1.NetworkPolicyPeerArgs{
			NamespaceSelector: &metav1.LabelSelectorArgs{MatchLabels: pulumi.StringMap{
				"kubernetes.io/metadata.name": pulumi.String(ns),
			}},
		}}
	}
	tcp := func(port pulumi.Input) networkingv1.NetworkPolicyPortArray {
		return networkingv1.NetworkPolicyPortArray{networkingv1.NetworkPolicyPortArgs{
			Protocol: pulumi.String("TCP"), Port: port,
		}}
	}

	ingress := networkingv1.NetworkPolicyIngressRuleArray{networkingv1.NetworkPolicyIngressRuleArgs{
		From:  nsPeer(np.IngressControllerNamespace),
		Ports: tcp(pulumi.Int(backendPort)),
	}}
	if d.Monitoring.Kind != MonitoringNone {
		ingress = append(ingress, networkingv1.NetworkPolicyIngressRuleArgs{
			From:  nsPeer(d.Monitoring.ScraperNamespace),
			Ports: tcp(pulumi.Int(d.Monitoring.Port)),
		})
	}

	var dbPort pulumi.Input = d.Database.Port
	if d.Database.CloudSQLConnector() {
		dbPort = pulumi.Int(cloudSQLConnectorPort)
	}
	egress := networkingv1.NetworkPolicyEgressRuleArray{
		networkingv1.NetworkPolicyEgressRuleArgs{Ports: networkingv1.NetworkPolicyPortArray{
			networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("UDP"), Port: pulumi.Int(53)},
			networkingv1.NetworkPolicyPortArgs{Protocol: pulumi.String("TCP"), Port: pulumi.Int(53)},
		}},
		networkingv1.NetworkPolicyEgressRuleArgs{To: ipBlocks(np.DatabaseCIDRs), Ports: tcp(dbPort)},
	}
	// The HTTPS rule already reaches an API server on 443 anywhere; a separate rule is only
	// needed when the API server is narrowed to CIDRs or listens elsewhere.
	if len(np.APIServerCIDRs) > 0 || np.APIServerPort != 443 {
		egress = append(egress, networkingv1.NetworkPolicyEgressRuleArgs{
			To: ipBlocks(np.APIServerCIDRs), Ports: tcp(pulumi.Int(np.APIServerPort)),
		})
	}
	egress = append(egress, networkingv1.NetworkPolicyEgressRuleArgs{Ports: tcp(pulumi.Int(443))})
	if d.CloudIdentity == IdentityGKE {
		// Workload Identity tokens come from the GKE metadata server: 169.254.169.254:80 on
		// GKE Dataplane V2, 169.254.169.252:988 (where the node redirects that address) on
		// the legacy dataplane. Without them the Cloud SQL connector, GCS TechDocs and GKE
		// discovery get no credentials. IRSA needs nothing: STS is reached over HTTPS.
		for _, m := range gkeMetadataServer {
			egress = append(egress, networkingv1.NetworkPolicyEgressRuleArgs{
				To: ipBlocks([]string{m.cidr}), Ports: tcp(pulumi.Int(m.port)),
			})
		}
	}

	_, err := networkingv1.NewNetworkPolicy(b.ctx, b.name+"-network-policy", &networkingv1.NetworkPolicyArgs{
		Metadata: b.meta(d.Name),
		Spec: &networkingv1.NetworkPolicySpecArgs{
			PodSelector: &metav1.LabelSelectorArgs{MatchLabels: b.selector},
			PolicyTypes: pulumi.ToStringArray([]string{"Ingress", "Egress"}),
			Ingress:     ingress,
			Egress:      egress,
		},
	}, b.parent)
	return err
}

// ipBlocks returns one peer per CIDR; none (any destination) when the list is empty.
func ipBlocks(cidrs []string) networkingv1.NetworkPolicyPeerArray {
	var out networkingv1.NetworkPolicyPeerArray
	for _, c := range cidrs {
		out = append(out, networkingv1.NetworkPolicyPeerArgs{IpBlock: &networkingv1.IPBlockArgs{Cidr: pulumi.String(c)}})
	}
	return out
}
