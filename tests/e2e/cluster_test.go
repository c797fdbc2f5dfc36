package e2e

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// kubeContext is the kubeconfig context the e2e stack file names (developer-portal:kubernetes).
const kubeContext = "developer-portal-e2e"

// cluster is a control plane on 127.0.0.1: etcd, kube-apiserver (TLS with a CA generated for
// the test, one admin bearer token) and kube-controller-manager.
type cluster struct {
	dir        string
	URL        string
	Token      string
	Kubeconfig string
	caPEM      []byte
	procs      []*process
}

type process struct {
	name, bin string
	args      []string
	cmd       *exec.Cmd
	log       string
	done      chan struct{}
	// killed: stopped on purpose by a fault test (kill), so not a failure of the control plane.
	killed bool
}

// serviceRange is the API server's Service address range: the usual one, or, for a control
// plane with a real node (extraControllers has nodeControllers), the upper half of the node's
// pod subnet, so that the kubernetes Service's address, which the kubelet gives pods as
// KUBERNETES_SERVICE_HOST, is on the node's bridge, where pods can reach it without a
// kube-proxy (startRealNode forwards it to the API server).
func serviceRange(extraControllers []string) string {
	if slices.Contains(extraControllers, nodeControllers) {
		return nodeServiceRange
	}
	return "10.96.0.0/16"
}

// startCluster starts the control plane; it is stopped when the test ends. extraControllers
// are kube-controller-manager controllers to run beyond the harness's usual ones (a test with
// the fake kubelet adds workloadControllers).
func startCluster(t *testing.T, tl tools, extraControllers ...string) *cluster {
	t.Helper()
	c := &cluster{dir: t.TempDir()}
	t.Cleanup(c.stop)

	etcdClient, etcdPeer := freePort(t), freePort(t)
	etcdURL := "http://127.0.0.1:" + etcdClient
	c.start(t, "etcd", tl.etcd,
		"--name=e2e",
		"--data-dir="+filepath.Join(c.dir, "etcd"),
		"--listen-client-urls="+etcdURL,
		"--advertise-client-urls="+etcdURL,
		"--listen-peer-urls=http://127.0.0.1:"+etcdPeer,
		"--initial-advertise-peer-urls=http://127.0.0.1:"+etcdPeer,
		"--initial-cluster=e2e=http://127.0.0.1:"+etcdPeer,
		"--log-level=warn",
	)
	c.waitHTTP(t, "etcd", etcdURL+"/health", nil, "")

	pki := c.writePKI(t)
	c.Token = randomHex(t, 24)
	tokens := filepath.Join(c.dir, "tokens.csv")
	writeFile(t, tokens, fmt.Sprintf("%s,admin,admin,\"system:masters\"\n", c.Token))

	apiPort := freePort(t)
	c.URL = "https://127.0.0.1:" + apiPort
	c.start(t, "kube-apiserver", tl.apiServer,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+apiPort,
		"--cert-dir="+filepath.Join(c.dir, "apiserver-certs"),
		"--tls-cert-file="+pki.serverCert,
		"--tls-private-key-file="+pki.serverKey,
		"--service-cluster-ip-range="+serviceRange(extraControllers),
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+pki.saPub,
		"--service-account-signing-key-file="+pki.saKey,
		"--token-auth-file="+tokens,
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		"--profiling=false",
	)
	c.waitHTTP(t, "kube-apiserver", c.URL+"/readyz", c.caPEM, c.Token)

	c.Kubeconfig = filepath.Join(c.dir, "kubeconfig")
	writeFile(t, c.Kubeconfig, c.kubeconfig())

	c.start(t, "kube-controller-manager", tl.controllerManager,
		"--kubeconfig="+c.Kubeconfig,
		"--leader-elect=false",
		"--service-account-private-key-file="+pki.saKey,
		"--root-ca-file="+pki.ca,
		// namespace: finalizes deleted namespaces (else destroy waits on Terminating ones);
		// resourcequota: fills a quota's status, which the provider waits for.
		"--controllers="+strings.Join(append([]string{"namespace,garbagecollector,serviceaccount,serviceaccount-token,resourcequota"}, extraControllers...), ","),
		"--bind-address=127.0.0.1",
		"--secure-port="+freePort(t),
		"--cert-dir="+filepath.Join(c.dir, "kcm-certs"),
	)
	c.waitControllers(t)
	return c
}

// waitControllers waits until kube-controller-manager acts: its serviceaccount controller has
// given the default namespace its "default" ServiceAccount.
func (c *cluster) waitControllers(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		c.checkAlive(t)
		if _, err := c.kubectlErr(nil, "get", "serviceaccount", "default", "-n", "default", "-o", "name"); err == nil {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("kube-controller-manager did not create the default ServiceAccount:\n%s", tail(filepath.Join(c.dir, "kube-controller-manager.log"), 40))
}

func (c *cluster) kubeconfig() string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: %s
  context:
    cluster: e2e
    user: admin
current-context: %s
`, c.URL, b64(c.caPEM), c.Token, kubeContext, kubeContext)
}

func (c *cluster) start(t *testing.T, name, bin string, args ...string) {
	t.Helper()
	c.procs = append(c.procs, c.spawn(t, name, bin, args))
}

// spawn starts one control-plane process, appending its output to <name>.log.
func (c *cluster) spawn(t *testing.T, name, bin string, args []string) *process {
	t.Helper()
	logPath := filepath.Join(c.dir, name+".log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{name: name, bin: bin, args: args, cmd: cmd, log: logPath, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); _ = logFile.Close(); close(p.done) }()
	return p
}

// proc returns the index and process of a control-plane process by name.
func (c *cluster) proc(t *testing.T, name string) (int, *process) {
	t.Helper()
	for i, p := range c.procs {
		if p.name == name {
			return i, p
		}
	}
	t.Fatalf("no control-plane process %s", name)
	return 0, nil
}

// kill stops a control-plane process with SIGKILL, as a crash would, and waits for it.
func (c *cluster) kill(t *testing.T, name string) {
	t.Helper()
	_, p := c.proc(t, name)
	p.killed = true
	_ = p.cmd.Process.Kill()
	<-p.done
}

// restart starts a killed process again with the same arguments (the same ports, certificates
// and data), and waits until the API server answers again.
func (c *cluster) restart(t *testing.T, name string) {
	t.Helper()
	i, p := c.proc(t, name)
	if !p.killed {
		t.Fatalf("restart %s: it was not killed", name)
	}
	c.procs[i] = c.spawn(t, p.name, p.bin, p.args)
	c.waitHTTP(t, "kube-apiserver", c.URL+"/readyz", c.caPEM, c.Token)
}

// signal sends a signal to a control-plane process (SIGSTOP and SIGCONT pause and resume it).
func (c *cluster) signal(t *testing.T, name string, sig syscall.Signal) {
	t.Helper()
	_, p := c.proc(t, name)
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatalf("signal %v to %s: %v", sig, name, err)
	}
}

// stop ends the processes in reverse order of starting: SIGTERM, then SIGKILL after 10s.
func (c *cluster) stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		p := c.procs[i]
		// SIGCONT first: a paused process would not act on SIGTERM.
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
	c.procs = nil
}

// checkAlive fails the test if a control-plane process has died, with the end of its log.
func (c *cluster) checkAlive(t *testing.T) {
	t.Helper()
	for _, p := range c.procs {
		if p.killed {
			continue
		}
		select {
		case <-p.done:
			t.Fatalf("%s exited:\n%s", p.name, tail(p.log, 40))
		default:
		}
	}
}

func (c *cluster) waitHTTP(t *testing.T, name, url string, caPEM []byte, token string) {
	t.Helper()
	tr := &http.Transport{}
	if caPEM != nil {
		tr = trustingTransport(caPEM)
	}
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		c.checkAlive(t)
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s not ready at %s (last: %s)", name, url, last)
}

// kubectl runs kubectl against the test's API server and returns its stdout.
func (c *cluster) kubectl(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	out, err := c.kubectlErr(stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (c *cluster) kubectlErr(stdin []byte, args ...string) ([]byte, error) {
	return c.kubectlFor(2*time.Minute, stdin, args...)
}

// kubectlFor is kubectlErr with another time limit.
func (c *cluster) kubectlFor(limit time.Duration, stdin []byte, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	base := []string{"--kubeconfig", c.Kubeconfig, "--context", kubeContext, "--cache-dir", filepath.Join(c.dir, "kubectl-cache")}
	cmd := exec.CommandContext(ctx, "kubectl", append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, stderr.String())
	}
	return stdout.Bytes(), nil
}

type pki struct {
	ca, serverCert, serverKey, saKey, saPub string
}

// writePKI generates a CA, the API server's serving certificate for 127.0.0.1 and the service
// account signing key.
func (c *cluster) writePKI(t *testing.T) pki {
	t.Helper()
	dir := filepath.Join(c.dir, "pki")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	p := pki{
		ca: filepath.Join(dir, "ca.crt"), serverCert: filepath.Join(dir, "apiserver.crt"),
		serverKey: filepath.Join(dir, "apiserver.key"), saKey: filepath.Join(dir, "sa.key"),
		saPub: filepath.Join(dir, "sa.pub"),
	}
	caKey := newKey(t)
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "developer-portal-e2e-ca"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true, IsCA: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	writeFile(t, p.ca, string(c.caPEM))

	srvKey := newKey(t)
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kube-apiserver"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		// And the kubernetes Service's address on a real node's bridge, which pods reach.
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP(nodeAPIServiceIP)},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, p.serverCert, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srvDER})))
	writeFile(t, p.serverKey, keyPEM(t, srvKey))

	saKey := newKey(t)
	writeFile(t, p.saKey, keyPEM(t, saKey))
	pubDER, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, p.saPub, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})))
	return p
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func keyPEM(t *testing.T, k *ecdsa.PrivateKey) string {
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Close() }()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func randomHex(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// trustingTransport is an HTTP transport that trusts the certificates caPEM holds (the test
// cluster's CA) and no others.
func trustingTransport(caPEM []byte) *http.Transport {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
}
