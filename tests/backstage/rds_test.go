package backstagee2e

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreeng/developer-portal/database"
	"gopkg.in/yaml.v3"
)

// rdsIAMUser is the portal's login in the test's RDS IAM stack (not the test PostgreSQL's own
// password user, so the bootstrap SQL creates it).
const rdsIAMUser = "portal_iam"

// TestBackstageSignsRDSIAMTokens boots the portal's backend on the app-config the AWS stack
// generates with database.auth iam (connection.type rds, no password anywhere), up to its
// first database login, and checks the RDS IAM token it signs: for the configured host, port,
// user and region, with the pod's AWS credentials, for rds-db:connect. The database is a
// loopback stand-in speaking PostgreSQL's protocol over TLS (only the host, port and CA are
// replaced): real RDS, which checks the token's signature against IAM, cannot run here. The
// bootstrap SQL the stack outputs (the rds_iam grant) is run on the test's real PostgreSQL 15.
func TestBackstageSignsRDSIAMTokens(t *testing.T) {
	nodeBin, tmp, pg := bootPrerequisites(t)

	// The AWS test stack, its database in the platform's account with IAM logins.
	var sf map[string]any
	if err := yaml.Unmarshal([]byte(readFile(t, "../testdata/Pulumi.aws.yaml")), &sf); err != nil {
		t.Fatal(err)
	}
	db := sf["config"].(map[string]any)["developer-portal:database"].(map[string]any)
	delete(db, "paired")
	db["placement"], db["auth"], db["user"] = "platform", "iam", rdsIAMUser
	stackPath := filepath.Join(tmp, "Pulumi.aws-iam.yaml")
	writeYAML(t, stackPath, sf)
	gen := generate(t, stackPath, filepath.Join(tmp, "tenants"), pg, freshSecrets(t, ""))
	var cfg struct {
		Backend struct {
			Database struct {
				Connection map[string]any `yaml:"connection"`
			} `yaml:"database"`
		} `yaml:"backend"`
	}
	if err := yaml.Unmarshal([]byte(gen.appConfig), &cfg); err != nil {
		t.Fatal(err)
	}
	conn := cfg.Backend.Database.Connection
	region, _ := conn["region"].(string)
	if conn["type"] != "rds" || region == "" || conn["password"] != nil {
		t.Fatalf("generated backend.database.connection = %v, want type rds with a region and no password", conn)
	}
	for _, e := range gen.podEnv {
		if strings.HasPrefix(e, "POSTGRES_PASSWORD=") {
			t.Errorf("the pod gets a database password with IAM logins")
		}
	}

	// The bootstrap SQL, on PostgreSQL 15 with RDS's rds_iam role.
	pg.superuser(t, "postgres", "CREATE ROLE rds_iam")
	pg.superuser(t, "backstage", database.RDSBootstrapSQL("backstage", rdsIAMUser))
	if got := strings.TrimSpace(pg.query(t, "backstage", fmt.Sprintf(
		"SELECT pg_has_role('%[1]s', 'rds_iam', 'member') AND has_database_privilege('%[1]s', 'backstage', 'CREATE') AND NOT (SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = '%[1]s')", rdsIAMUser))); got != "t" {
		t.Errorf("after the bootstrap SQL %s is not an rds_iam member with CREATE on backstage and nothing more: %q", rdsIAMUser, got)
	}

	root := filepath.Join(tmp, "pod")
	appConfig := gen.writePodFiles(t, root)
	caPEM, certPEM, keyPEM := issueServerCert(t)
	caFile := filepath.Join(root, "stand-in-ca.pem")
	writeFile(t, caFile, caPEM)
	standIn := newPostgresStandIn(t, certPEM, keyPEM)
	kube := standInAPIServer(t, gen.manifests)
	refuse := newRefusingProxy(t)
	overlay := filepath.Join(root, "app-config.test.yaml")
	writeYAML(t, overlay, map[string]any{
		"backend": map[string]any{
			"listen": map[string]any{"host": "127.0.0.1", "port": freePort(t)},
			// Only where the database is and the CA it is verified with; type, user, region,
			// database and rejectUnauthorized stay as generated.
			"database": map[string]any{"connection": map[string]any{
				"host": "127.0.0.1", "port": standIn.port, "ssl": map[string]any{"ca": map[string]any{"$file": caFile}},
			}},
		},
		"kubernetes": map[string]any{"clusterLocatorMethods": []any{map[string]any{
			"type": "config", "clusters": []any{kube.cluster(gen.clusterName)},
		}}},
		"techdocs": techdocsOverlay(gen, refuse.URL),
	})
	const accessKey = "AKIAIOSFODNN7EXAMPLE"
	env := backendEnv(t, gen, kube, refuse.URL, tmp,
		"OTEL_EXPORTER_PROMETHEUS_PORT="+strconv.Itoa(freePort(t)),
		// The pod's credentials (IRSA's, in the cluster); no AWS_REGION, so the token's
		// region can only be the generated connection.region.
		"AWS_ACCESS_KEY_ID="+accessKey, "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_EC2_METADATA_DISABLED=true",
	)
	be := startBackend(t, nodeBin, tmp, env, appConfig, overlay)

	login := standIn.waitLogin(t, be, 3*time.Minute)
	t.Logf("the backend's first login: user %s, database %s, token %.120s…", login.user, login.database, login.password)
	// Backstage first checks, from the maintenance database, that its database exists.
	if login.user != rdsIAMUser || (login.database != "backstage" && login.database != "postgres") {
		t.Errorf("login as %s to %s, want %s to backstage (or postgres, to check it exists)", login.user, login.database, rdsIAMUser)
	}
	if !login.tls {
		t.Error("the login did not use TLS")
	}
	// An RDS IAM token is a presigned rds-db:connect URL without its scheme.
	endpoint, query, ok := strings.Cut(login.password, "/?")
	if !ok {
		t.Fatalf("the password is not an RDS IAM token: %.80s", login.password)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	credential := strings.Split(q.Get("X-Amz-Credential"), "/")
	for _, c := range []struct{ what, got, want string }{
		{"host:port", endpoint, fmt.Sprintf("127.0.0.1:%d", standIn.port)},
		{"Action", q.Get("Action"), "connect"},
		{"DBUser", q.Get("DBUser"), rdsIAMUser},
		{"X-Amz-Algorithm", q.Get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256"},
		{"X-Amz-Expires (seconds)", q.Get("X-Amz-Expires"), "900"},
		{"X-Amz-SignedHeaders", q.Get("X-Amz-SignedHeaders"), "host"},
		{"credential's access key", credential[0], accessKey},
		{"credential's scope", strings.Join(credential[min(2, len(credential)):], "/"), region + "/rds-db/aws4_request"},
	} {
		if c.got != c.want {
			t.Errorf("token %s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if len(q.Get("X-Amz-Signature")) != 64 {
		t.Errorf("token signature %q is not a SHA-256 HMAC", q.Get("X-Amz-Signature"))
	}
}

// pgLogin is what a client sent the stand-in: its startup parameters and its password.
type pgLogin struct {
	user, database, password string
	tls                      bool
}

// postgresStandIn accepts PostgreSQL connections on loopback, requires TLS, asks for a
// cleartext password (how an RDS IAM token is sent), records the login and refuses it.
type postgresStandIn struct {
	port   int
	mu     sync.Mutex
	logins []pgLogin
}

func newPostgresStandIn(t *testing.T, certPEM, keyPEM string) *postgresStandIn {
	t.Helper()
	cert, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	s := &postgresStandIn{port: l.Addr().(*net.TCPAddr).Port}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		}
	}()
	return s
}

const (
	sslRequestCode = 80877103
	protocolV3     = 196608
)

func (s *postgresStandIn) serve(c net.Conn, tlsConfig *tls.Config) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(30 * time.Second))
	conn := c
	login := pgLogin{}
	for {
		body, err := readStartup(conn)
		if err != nil {
			return
		}
		code := binary.BigEndian.Uint32(body[:4])
		if code == sslRequestCode && !login.tls {
			if _, err := conn.Write([]byte{'S'}); err != nil {
				return
			}
			tc := tls.Server(conn, tlsConfig)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, login.tls = tc, true
			continue
		}
		if code != protocolV3 {
			return
		}
		params := strings.Split(string(body[4:]), "\x00")
		for i := 0; i+1 < len(params); i += 2 {
			switch params[i] {
			case "user":
				login.user = params[i+1]
			case "database":
				login.database = params[i+1]
			}
		}
		break
	}
	// AuthenticationCleartextPassword, then the PasswordMessage.
	if _, err := conn.Write([]byte{'R', 0, 0, 0, 8, 0, 0, 0, 3}); err != nil {
		return
	}
	r := bufio.NewReader(conn)
	typ, err := r.ReadByte()
	if err != nil || typ != 'p' {
		return
	}
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil || n < 5 || n > 1<<16 {
		return
	}
	pw := make([]byte, n-4)
	if _, err := io.ReadFull(r, pw); err != nil {
		return
	}
	login.password = strings.TrimSuffix(string(pw), "\x00")
	s.mu.Lock()
	s.logins = append(s.logins, login)
	s.mu.Unlock()
	msg := "SFATAL\x00C28000\x00Mthe test's stand-in refuses every login\x00\x00"
	resp := append([]byte{'E'}, binary.BigEndian.AppendUint32(nil, uint32(4+len(msg)))...)
	_, _ = conn.Write(append(resp, msg...))
}

// readStartup reads a startup-phase message (a length, then the body) and returns the body.
func readStartup(r io.Reader) ([]byte, error) {
	var n uint32
	if err := binary.Read(r, binary.BigEndian, &n); err != nil {
		return nil, err
	}
	if n < 8 || n > 1<<16 {
		return nil, fmt.Errorf("startup message of %d bytes", n)
	}
	body := make([]byte, n-4)
	_, err := io.ReadFull(r, body)
	return body, err
}

// waitLogin waits for the first login that sent a password.
func (s *postgresStandIn) waitLogin(t *testing.T, be *runningBackend, timeout time.Duration) pgLogin {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		if len(s.logins) > 0 {
			l := s.logins[0]
			s.mu.Unlock()
			return l
		}
		s.mu.Unlock()
		if time.Now().After(deadline) {
			t.Fatalf("the backend never logged in to the database:\n%s", grepLines(readFile(t, be.logPath), "atabase"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}
