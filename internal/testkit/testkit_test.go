package testkit

import (
	"testing"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

type fakeComponent struct{ pulumi.ResourceState }

// program registers a component with a ConfigMap that leaks the secret when leak is true, and a
// Secret that holds it properly.
func program(leak bool, explicit bool) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		var opts []pulumi.ResourceOption
		if explicit {
			p, err := kubernetes.NewProvider(ctx, "k8s", &kubernetes.ProviderArgs{})
			if err != nil {
				return err
			}
			opts = append(opts, pulumi.Provider(p))
		}
		c := &fakeComponent{}
		if err := ctx.RegisterComponentResource("coreplatform:test:Fake", "fake", c, opts...); err != nil {
			return err
		}
		secret := pulumi.ToSecret(pulumi.String("s3cr3t-value")).(pulumi.StringOutput)
		data := pulumi.StringMap{"plain": pulumi.String("ok")}
		if leak {
			data["leak"] = secret
		}
		if _, err := corev1.NewConfigMap(ctx, "fake-cm", &corev1.ConfigMapArgs{
			Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String("cm")},
			Data:     data,
		}, pulumi.Parent(c)); err != nil {
			return err
		}
		_, err := corev1.NewSecret(ctx, "fake-secret", &corev1.SecretArgs{
			StringData: pulumi.StringMap{"v": secret},
		}, pulumi.Parent(c), pulumi.Protect(true))
		return err
	}
}

// recorder is a testing.TB that records failures instead of failing, so the assertions' own
// failure paths can be tested.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Helper()               {}

func TestAssertions(t *testing.T) {
	cases := []struct {
		name               string
		leak, explicit     bool
		wantLeak, wantProv bool
	}{
		{"clean", false, true, false, false},
		{"secret in ConfigMap", true, true, true, false},
		{"default provider", false, false, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMocks()
			if err := Run(program(tc.leak, tc.explicit), m, nil); err != nil {
				t.Fatal(err)
			}
			leak := &recorder{TB: t}
			AssertNoSecretLeak(leak, m, "s3cr3t-value")
			if leak.failed != tc.wantLeak {
				t.Errorf("leak detected = %v, want %v", leak.failed, tc.wantLeak)
			}
			prov := &recorder{TB: t}
			AssertExplicitProviders(prov, m)
			if prov.failed != tc.wantProv {
				t.Errorf("missing provider detected = %v, want %v", prov.failed, tc.wantProv)
			}
			AssertNoDuplicateURNs(t, m)
			AssertParented(t, m, "coreplatform:test:Fake")
			AssertProtected(t, m, "kubernetes:core/v1:Secret")

			cm := m.MustFind(t, "kubernetes:core/v1:ConfigMap", "fake-cm")
			if cm.Parent != URN("", "coreplatform:test:Fake", "fake") {
				t.Errorf("parent = %s", cm.Parent)
			}
			if got := cm.String("data.plain"); got != "ok" {
				t.Errorf("data.plain = %q", got)
			}
			sec := m.MustFind(t, "kubernetes:core/v1:Secret", "fake-secret")
			if !sec.InputIsSecret("stringData.v") {
				t.Error("Secret stringData.v is not secret")
			}
		})
	}
}
