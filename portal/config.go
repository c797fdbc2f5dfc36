package portal

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/coreeng/developer-portal/cloud"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// podConfig is what the pod template needs from the configuration objects.
type podConfig struct {
	appConfigMap pulumi.StringOutput
	catalogMap   pulumi.StringOutput
	secret       pulumi.StringOutput
	files        []catalogFile
	liveParts    int // the live catalog's ConfigMaps, which the pods read through the API
	plainEnv     corev1.EnvVarArray
	secretKeys   []string
	annotations  pulumi.StringMap
}

// newConfig creates the app-config ConfigMap (with the database CA, which is not secret),
// the catalog ConfigMap and the Secret holding every secret, and computes the checksum
// annotations that roll the pods when any of them changes.
func (b *built) newConfig(appConfig string, files []catalogFile, live []livePart, token pulumi.StringOutput) (*podConfig, error) {
	db := b.d.Database
	data := pulumi.StringMap{appConfigKey: pulumi.String(appConfig)}
	if !db.CloudSQLConnector() {
		data[dbCAKey] = db.CACert
	}
	appCM, err := corev1.NewConfigMap(b.ctx, b.name+"-app-config", &corev1.ConfigMapArgs{
		Metadata: b.meta(b.d.Name + "-app-config"),
		Data:     data,
	}, b.parent)
	if err != nil {
		return nil, err
	}

	catalogData := pulumi.StringMap{}
	for _, f := range files {
		catalogData[f.Key] = pulumi.String(f.Data)
	}
	catalogCM, err := corev1.NewConfigMap(b.ctx, b.name+"-catalog", &corev1.ConfigMapArgs{
		Metadata: b.meta(b.d.Name + "-catalog"),
		Data:     catalogData,
	}, b.parent)
	if err != nil {
		return nil, err
	}

	// The live catalog's parts are not hashed into the pod template, nor mounted: the image's
	// live catalog module watches them through the API and the catalog reads them again, so a
	// tenancy change does not restart the portal.
	for _, p := range live {
		data := pulumi.StringMap{}
		for _, f := range p.Files {
			data[f.Key] = pulumi.String(f.Data)
		}
		name := p.ConfigMapName(b.d.Name)
		if _, err := corev1.NewConfigMap(b.ctx, b.name+strings.TrimPrefix(name, b.d.Name), &corev1.ConfigMapArgs{
			Metadata: b.meta(name),
			Data:     data,
		}, b.parent); err != nil {
			return nil, err
		}
	}

	secretValues := map[string]pulumi.StringInput{EnvServiceToken: token}
	if or(db.Auth, cloud.AuthPassword) == cloud.AuthPassword {
		secretValues[EnvPostgresPassword] = db.Password
	}
	for _, c := range b.d.Contributions {
		for k, v := range c.SecretEnv {
			secretValues[k] = v
		}
	}
	for cluster, v := range b.d.ClusterTokens {
		secretValues[clusterTokenEnv(cluster)] = v
	}
	keys := slices.Sorted(maps.Keys(secretValues))
	stringData := pulumi.StringMap{}
	hashInputs := make([]any, len(keys))
	for i, k := range keys {
		stringData[k] = pulumi.ToSecret(secretValues[k].ToStringOutput()).(pulumi.StringOutput)
		hashInputs[i] = secretValues[k]
	}
	secret, err := corev1.NewSecret(b.ctx, b.name+"-secrets", &corev1.SecretArgs{
		Metadata:   b.meta(b.d.Name + "-secrets"),
		Type:       pulumi.String("Opaque"),
		StringData: stringData,
	}, b.parent)
	if err != nil {
		return nil, err
	}

	// A hash.Hash's Write never returns an error, so Fprintf's results carry nothing to check.
	configSum := sha256.New()
	_, _ = fmt.Fprintf(configSum, "%s=%d:%s\n", appConfigKey, len(appConfig), appConfig)
	for _, f := range files {
		_, _ = fmt.Fprintf(configSum, "%s=%d:%s\n", f.Path, len(f.Data), f.Data)
	}
	annotations := pulumi.StringMap{
		"checksum/config":  pulumi.String(hex.EncodeToString(configSum.Sum(nil))),
		"checksum/secrets": secretChecksum(keys, hashInputs),
	}
	if !db.CloudSQLConnector() {
		annotations["checksum/db-ca"] = db.CACert.ToStringOutput().ApplyT(func(ca string) string {
			sum := sha256.Sum256([]byte(ca))
			return hex.EncodeToString(sum[:])
		}).(pulumi.StringOutput)
	}

	return &podConfig{
		appConfigMap: appCM.Metadata.Name().Elem(),
		catalogMap:   catalogCM.Metadata.Name().Elem(),
		secret:       secret.Metadata.Name().Elem(),
		files:        files,
		liveParts:    len(live),
		plainEnv:     b.plainEnv(),
		secretKeys:   keys,
		annotations:  annotations,
	}, nil
}

// secretChecksum hashes every secret value into one digest and unmarks it as secret, so a
// rotated secret rolls the pods while the Deployment's diff stays readable. Only the digest
// leaves the Apply, and because the 48-character random service token is part of its
// preimage, the digest cannot be brute-forced back to any weaker secret hashed with it.
func secretChecksum(keys []string, values []any) pulumi.StringOutput {
	sum := pulumi.All(values...).ApplyT(func(vs []any) string {
		h := sha256.New()
		for i, v := range vs {
			s, _ := v.(string)
			fmt.Fprintf(h, "%s=%d:%s\n", keys[i], len(s), s)
		}
		return hex.EncodeToString(h.Sum(nil))
	}).(pulumi.StringOutput)
	return pulumi.Unsecret(sum).(pulumi.StringOutput)
}

// plainEnv is the container's non-secret environment: database coordinates (the app-config
// references them) and the contributions' Env, in a stable order.
func (b *built) plainEnv() corev1.EnvVarArray {
	db := b.d.Database
	env := corev1.EnvVarArray{}
	add := func(name string, v pulumi.StringInput) {
		env = append(env, corev1.EnvVarArgs{Name: pulumi.String(name), Value: v})
	}
	if db.CloudSQLConnector() {
		add(EnvPostgresInstance, db.CloudSQLInstance)
	} else {
		add(EnvPostgresHost, db.Host)
		add(EnvPostgresPort, db.Port.ToIntOutput().ApplyT(strconv.Itoa).(pulumi.StringOutput))
		// node-postgres and every libpq tool verify the server certificate and host name.
		add(EnvPGSSLMode, pulumi.String("verify-full"))
	}
	add(EnvPostgresUser, db.User)
	add(EnvPostgresDB, db.Database)
	if b.d.Monitoring.Kind != MonitoringNone {
		// The image's exporter reads where to serve from these, so the port and path the
		// Deployment names and the monitor scrapes are the ones it listens on.
		add(EnvMetricsPort, pulumi.String(strconv.Itoa(b.d.Monitoring.Port)))
		add(EnvMetricsPath, pulumi.String(b.d.Monitoring.Path))
	}
	for _, c := range b.d.Contributions {
		for _, k := range slices.Sorted(maps.Keys(c.Env)) {
			add(k, c.Env[k])
		}
	}
	return env
}
