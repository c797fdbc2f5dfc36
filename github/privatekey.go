package github

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// NormalizePrivateKey turns a key pasted on one line with literal "\n" escapes (as config
// values and environment variables often carry it) back into a multi-line PEM, and trims
// surrounding space.
func NormalizePrivateKey(key string) string {
	key = strings.TrimSpace(key)
	if !strings.Contains(key, "\n") && strings.Contains(key, `\n`) {
		key = strings.ReplaceAll(key, `\n`, "\n")
	}
	if key != "" && !strings.HasSuffix(key, "\n") {
		key += "\n"
	}
	return key
}

// CheckPrivateKeyPEM reports whether key (after NormalizePrivateKey) is an unencrypted RSA
// private key in PEM form, as GitHub issues for Apps. Messages never quote the key.
func CheckPrivateKeyPEM(key string) error {
	block, rest := pem.Decode([]byte(NormalizePrivateKey(key)))
	if block == nil {
		return errors.New("is not a PEM private key (expected -----BEGIN RSA PRIVATE KEY-----)")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return errors.New("holds more than one PEM block: give only the App's private key")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return errors.New("is a PEM block whose RSA private key cannot be parsed")
		}
	case "PRIVATE KEY":
		if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err != nil {
			return errors.New("is a PEM block whose PKCS#8 private key cannot be parsed")
		}
	case "ENCRYPTED PRIVATE KEY":
		return errors.New("is encrypted: Backstage needs the unencrypted key GitHub issued")
	default:
		return errors.New("is a PEM " + block.Type + ", not a private key")
	}
	return nil
}

// SecretPrivateKey checks and normalises the App's private key read from config, and returns
// it as a secret Input for Args.AppPrivateKey. Call it before registering anything, so a bad
// key stops the program with an error that names the key, never its value.
func SecretPrivateKey(key string) (pulumi.StringOutput, error) {
	if err := CheckPrivateKeyPEM(key); err != nil {
		return pulumi.StringOutput{}, describe("appPrivateKey", err)
	}
	return pulumi.ToSecret(pulumi.String(NormalizePrivateKey(key))).(pulumi.StringOutput), nil
}

// checkedPrivateKey is the last guard on keys that arrive as Outputs: the check runs when the
// value is known and fails the deployment instead of shipping a broken key.
func checkedPrivateKey(key pulumi.StringInput) pulumi.StringOutput {
	checked := key.ToStringOutput().ApplyT(func(k string) (string, error) {
		if err := CheckPrivateKeyPEM(k); err != nil {
			return "", describe("appPrivateKey", err)
		}
		return NormalizePrivateKey(k), nil
	}).(pulumi.StringOutput)
	return pulumi.ToSecret(checked).(pulumi.StringOutput)
}
