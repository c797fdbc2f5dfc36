package portal

import (
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	networkingv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Annotations external-dns and cert-manager read from the Ingress.
const (
	AnnotationExternalDNSHostname = "external-dns.alpha.kubernetes.io/hostname"
	AnnotationExternalDNSTarget   = "external-dns.alpha.kubernetes.io/target"
	AnnotationClusterIssuer       = "cert-manager.io/cluster-issuer"
)

// tlsSecretName is the Secret the Ingress serves: none in platform mode (the controller's
// default wildcard certificate), the given one, or the one cert-manager fills in.
func tlsSecretName(d *Args) string {
	switch d.TLS.Mode {
	case TLSSecret:
		return d.TLS.SecretName
	case TLSCertManager:
		return d.Name + "-tls"
	}
	return ""
}

func (b *built) newIngress(svc *corev1.Service) error {
	d := b.d
	host := d.Host()
	annotations := pulumi.StringMap{
		AnnotationExternalDNSHostname: pulumi.String(host),
		AnnotationExternalDNSTarget:   pulumi.String(d.ExternalDNSTarget),
	}
	if d.TLS.Mode == TLSCertManager {
		annotations[AnnotationClusterIssuer] = pulumi.String(d.TLS.ClusterIssuer)
	}
	tls := networkingv1.IngressTLSArgs{Hosts: pulumi.ToStringArray([]string{host})}
	if s := tlsSecretName(d); s != "" {
		tls.SecretName = pulumi.String(s)
	}
	meta := b.meta(d.Name)
	meta.Annotations = annotations
	_, err := networkingv1.NewIngress(b.ctx, b.name+"-ingress", &networkingv1.IngressArgs{
		Metadata: meta,
		Spec: &networkingv1.IngressSpecArgs{
			IngressClassName: pulumi.String(d.IngressClassName),
			Tls:              networkingv1.IngressTLSArray{tls},
			Rules: networkingv1.IngressRuleArray{networkingv1.IngressRuleArgs{
				Host: pulumi.String(host),
				Http: &networkingv1.HTTPIngressRuleValueArgs{Paths: networkingv1.HTTPIngressPathArray{
					networkingv1.HTTPIngressPathArgs{
						Path:     pulumi.String("/"),
						PathType: pulumi.String("Prefix"),
						Backend: networkingv1.IngressBackendArgs{Service: &networkingv1.IngressServiceBackendArgs{
							Name: svc.Metadata.Name().Elem(),
							Port: &networkingv1.ServiceBackendPortArgs{Name: pulumi.String("http")},
						}},
					},
				}},
			}},
		},
	}, b.parent)
	return err
}
