package backstagee2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startupLockKey is the advisory lock the backend starts its plugins under
// (app/packages/backend/src/startupLock.js, STARTUP_LOCK_KEY).
const (
	startupLockKey = 0x43507374
	startupLockJS  = appDir + "/packages/backend/src/startupLock.js"
)

// The backend's log lines the test follows: the startup lock's, and the backend's own once
// every plugin has started.
const (
	lockWaiting = "Waiting for the startup lock"
	lockTaken   = "Startup lock taken after"
	pluginsUp   = "Plugin initialization complete"
)

// TestReplicasStartOneAtATime starts two backends at once on one empty database, as the two
// replicas of a new Deployment start, while the test holds the startup lock. Both must wait
// for it. Once the test lets go, one takes it and starts its plugins (running every
// migration); the other may take it only once the first's plugins are up. Neither may meet a
// plugin's migration lock (MigrationLocked, which made replicas crash-loop before the startup
// lock), and both must become ready. Holding the lock first makes the race certain whatever
// the machine's load: without the lock both replicas would start their plugins at once.
func TestReplicasStartOneAtATime(t *testing.T) {
	nodeBin := backstageNode(t, "to boot real Backstage backends")
	pgBin := envOr("PG_BIN", "/usr/lib/postgresql/15/bin")
	if src := readFile(t, startupLockJS); !strings.Contains(src, fmt.Sprintf("STARTUP_LOCK_KEY = 0x%x;", startupLockKey)) {
		t.Fatalf("%s does not define STARTUP_LOCK_KEY = 0x%x: keep the test's key in step", startupLockJS, startupLockKey)
	}
	p := prepareStackFile(t, pgBin, stackFile, nil)
	// Schema division (the generated configuration): every plugin, the lock's connection
	// included, is in the database "backstage".
	holder := p.pg.holdAdvisoryLock(t, "backstage", startupLockKey)

	type replica struct {
		be  *runningBackend
		api *client
		// taken and up are the polls of the logs at which the replica's log first showed the
		// lock taken and its plugins up (0: not yet).
		taken, up int
	}
	replicas := make([]*replica, 2)
	for i := range replicas {
		be, api := p.start(t, nodeBin)
		replicas[i] = &replica{be: be, api: api}
	}
	logOf := func(r *replica) string {
		b, err := os.ReadFile(r.be.logPath)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	exited := func(r *replica) {
		select {
		case err := <-r.be.exited:
			t.Fatalf("a replica exited (%v): %s", err, strings.Join(errorLines(logOf(r)), "\n"))
		default:
		}
	}

	// Both wait while the test holds the lock, and neither serves.
	deadline := time.Now().Add(3 * time.Minute)
	for _, r := range replicas {
		for !strings.Contains(logOf(r), lockWaiting) {
			exited(r)
			if time.Now().After(deadline) {
				t.Fatalf("a replica did not wait for the startup lock the test holds: %q not in %s", lockWaiting, r.be.logPath)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for _, r := range replicas {
		if strings.Contains(logOf(r), lockTaken) {
			t.Fatalf("a replica took the startup lock while the test held it")
		}
		if code, _ := r.api.status("GET", portalReadiness, nil, false); code == http.StatusOK {
			t.Errorf("a replica is ready while the test holds the startup lock")
		}
	}
	waited := time.Now()
	holder.release(t)

	// Follow both logs until both replicas' plugins are up.
	deadline = time.Now().Add(4 * time.Minute)
	for poll := 1; replicas[0].up == 0 || replicas[1].up == 0; poll++ {
		for _, r := range replicas {
			log := logOf(r)
			if r.taken == 0 && strings.Contains(log, lockTaken) {
				r.taken = poll
			}
			if r.up == 0 && strings.Contains(log, pluginsUp) {
				r.up = poll
			}
			exited(r)
		}
		if time.Now().After(deadline) {
			t.Fatalf("both replicas' plugins not up 4 minutes after the lock was free (lock taken at poll %d and %d, plugins up at %d and %d)",
				replicas[0].taken, replicas[1].taken, replicas[0].up, replicas[1].up)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("timing: both replicas' plugins up %.1fs after the test let the lock go", time.Since(waited).Seconds())
	first, second := replicas[0], replicas[1]
	if second.taken < first.taken {
		first, second = second, first
	}
	if second.taken < first.up {
		t.Errorf("the second replica took the startup lock (poll %d) before the first's plugins were up (poll %d)", second.taken, first.up)
	}
	for _, r := range replicas {
		ready := r.be.waitReady(t, r.api)
		t.Logf("replica ready %.1fs after its start", ready.Seconds())
		checkConfigLog(t, r.be.logPath)
		if log := logOf(r); strings.Contains(log, "MigrationLocked") {
			t.Errorf("a replica met a migration lock: %s", strings.Join(errorLines(log), "\n"))
		}
	}
}

// lockHolder is a psql session holding an advisory lock.
type lockHolder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// holdAdvisoryLock opens a superuser session on db that takes the advisory lock key, and
// returns once PostgreSQL shows it granted. The session ends (and the lock with it) on release
// or when the test ends.
func (p *postgres) holdAdvisoryLock(t *testing.T, db string, key int64) *lockHolder {
	t.Helper()
	cmd := exec.Command(filepath.Join(p.bin, "psql"), p.dsn("postgres", db, "verify-full"), "-v", "ON_ERROR_STOP=1", "-qtA")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+p.superuserPassword)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	h := &lockHolder{cmd: cmd, stdin: stdin}
	if err := cmd.Start(); err != nil {
		t.Fatalf("psql: %v", err)
	}
	t.Cleanup(func() { h.release(t) })
	if _, err := fmt.Fprintf(stdin, "SELECT pg_advisory_lock(%d);\n", key); err != nil {
		t.Fatal(err)
	}
	// A bigint key shows in pg_locks as classid (high 32 bits) and objid (low), objsubid 1.
	query := fmt.Sprintf("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %d AND objid = %d AND objsubid = 1 AND granted",
		key>>32, key&0xffffffff)
	deadline := time.Now().Add(30 * time.Second)
	for strings.TrimSpace(p.query(t, db, query)) != "1" {
		if time.Now().After(deadline) {
			t.Fatalf("the advisory lock %d was not granted to the test's session in 30 s", key)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return h
}

// release ends the session, which releases the lock.
func (h *lockHolder) release(t *testing.T) {
	t.Helper()
	if h.cmd.ProcessState != nil {
		return
	}
	_ = h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Errorf("psql holding the lock: %v", err)
	}
}
