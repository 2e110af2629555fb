package main

// The durability tests that need the real binary: killed with SIGKILL under
// load, and backed up while it serves. Both build salesdesk with `go build`
// and are skipped with -short.

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/internal/writers"
)

// buildSalesdesk builds the binary into a temporary directory.
func buildSalesdesk(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "salesdesk")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a process's output.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type process struct {
	cmd    *exec.Cmd
	url    string
	out    *lockedBuffer
	exited chan struct{}
}

// startSalesdesk runs the binary on the SQLite file dbPath and waits until
// /healthz answers.
func startSalesdesk(t *testing.T, bin, dbPath string, env ...string) *process {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	p := &process{url: "http://" + addr, out: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, "-addr", addr, "-db", dbPath)
	p.cmd.Env = append(os.Environ(), append([]string{"SESSION_KEY=" + strings.Repeat("s", 32)}, env...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
	})
	deadline := time.Now().Add(90 * time.Second) // the first start seeds the demo data
	for {
		select {
		case <-p.exited:
			t.Fatalf("salesdesk exited at start:\n%s", p.out)
		default:
		}
		if res, err := http.Get(p.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("salesdesk did not answer /healthz:\n%s", p.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the server gracefully.
func (p *process) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(30 * time.Second):
		t.Fatal("salesdesk did not stop on SIGTERM")
	}
}

// checkLog fails on a locked database or any error line in a server's output.
func (p *process) checkLog(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(p.out.String(), "\n") {
		if strings.Contains(line, "database is locked") || strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("server log: %.300s", line)
		}
	}
}

func openDB(t *testing.T, path string) *gorm.DB {
	t.Helper()
	gdb, err := db.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := gdb.DB(); err == nil {
			s.Close()
		}
	})
	return gdb
}

func runWriters(t *testing.T, ctx context.Context, cfg writers.Config) <-chan *writers.Result {
	t.Helper()
	done := make(chan *writers.Result, 1)
	go func() {
		res, err := writers.Run(ctx, cfg)
		if err != nil {
			t.Errorf("writers: %v", err)
		}
		done <- res
	}()
	return done
}

// TestCrashLosesNoAcknowledgedWrite kills the server with SIGKILL in the middle
// of 50 clients writing, restarts it on the same file, and finds the database
// intact with every write acknowledged before the kill.
func TestCrashLosesNoAcknowledgedWrite(t *testing.T) {
	bin := buildSalesdesk(t)
	path := filepath.Join(t.TempDir(), "crash.db")
	srv := startSalesdesk(t, bin, path)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	load, err := writers.DurationFromEnv(4 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cfg := writers.DemoConfig(srv.url, "k", 10*time.Minute) // runs until the kill
	started := make(chan struct{})
	cfg.Started = func() { close(started) }
	done := runWriters(t, ctx, cfg)
	<-started
	time.Sleep(load)
	if err := srv.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cancel() // the clients stop; what was under way at the kill gets no answer
	<-srv.exited
	res := <-done
	if res == nil {
		t.FailNow()
	}
	t.Logf("before the kill: %s", res)
	for _, f := range res.Failures {
		t.Errorf("failure: %s", f)
	}
	srv.checkLog(t)
	if res.Acked == 0 {
		t.Fatal("nothing was acknowledged before the kill")
	}

	// Restarted, the server recovers the file and takes writes again.
	again := startSalesdesk(t, bin, path)
	after, err := writers.Run(context.Background(), writers.Config{
		BaseURL: again.url, Clients: 4, Duration: time.Second, Users: cfg.Users, Password: cfg.Password, Prefix: "k2", Seed: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	if after.Acked == 0 || len(after.Failures) > 0 {
		t.Errorf("after the restart: %s %v", after, after.Failures)
	}
	again.stop(t)
	again.checkLog(t)

	if err := db.CheckIntegrity(path); err != nil {
		t.Fatal(err)
	}
	gdb := openDB(t, path)
	check, err := writers.Verify(gdb, res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after the restart: integrity_check ok; %s", check)
	for _, p := range check.Problems {
		t.Error(p)
	}
	// Writes under way at the kill may have been committed without an answer.
	if check.RunOpps < check.AckedOpps {
		t.Errorf("%d opportunities of the run stored, %d acknowledged", check.RunOpps, check.AckedOpps)
	}
	if c, err := writers.Verify(gdb, after.Ledger); err != nil || len(c.Problems) > 0 {
		t.Errorf("writes after the restart: %v %v", err, c.Problems)
	}
}

// TestBackupWhileServing backs the database up with `salesdesk backup` while 50
// clients write, and finds the copy intact, consistent and servable.
func TestBackupWhileServing(t *testing.T) {
	bin := buildSalesdesk(t)
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	srv := startSalesdesk(t, bin, live)
	load, err := writers.DurationFromEnv(4 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	cfg := writers.DemoConfig(srv.url, "b", load+2*time.Second)
	started := make(chan struct{})
	cfg.Started = func() { close(started) }
	done := runWriters(t, context.Background(), cfg)
	<-started
	time.Sleep(load / 2)

	backupFile := filepath.Join(dir, "backup.db")
	start := time.Now()
	out, err := exec.Command(bin, "backup", "-db", live, backupFile).CombinedOutput()
	if err != nil {
		t.Fatalf("salesdesk backup: %v\n%s", err, out)
	}
	t.Logf("%s(took %v under load)", out, time.Since(start).Round(time.Millisecond))
	if !strings.Contains(string(out), "integrity check ok") {
		t.Errorf("backup output: %s", out)
	}
	// Never over an existing file; PostgreSQL is pg_dump's job.
	for _, args := range [][]string{
		{"backup", "-db", live, backupFile},
		{"backup", "-db", "postgres://salesdesk@127.0.0.1:1/salesdesk", filepath.Join(dir, "pg.db")},
	} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Errorf("salesdesk %v: err %v, want a non-zero exit", args, err)
		}
		if want := map[bool]string{true: "pg_dump", false: "already exists"}[strings.HasPrefix(args[2], "postgres")]; !strings.Contains(string(out), want) {
			t.Errorf("salesdesk %v says %q, want it to mention %q", args, out, want)
		}
	}

	res := <-done
	if res == nil {
		t.FailNow()
	}
	t.Logf("writers: %s", res)
	for _, f := range res.Failures {
		t.Errorf("failure: %s", f)
	}
	srv.stop(t)
	srv.checkLog(t)

	if err := db.CheckIntegrity(backupFile); err != nil {
		t.Fatal(err)
	}
	liveDB, copyDB := openDB(t, live), openDB(t, backupFile)
	liveVersion, err := db.SchemaVersion(liveDB)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.SchemaVersion(copyDB); err != nil || v != liveVersion {
		t.Errorf("backup schema version %d (%v), live %d", v, err, liveVersion)
	}
	// A snapshot: each opportunity's version is that of its newest history
	// entry (both are written in one transaction), no dangling reference,
	// and the copy has some but not all of the run's opportunities.
	count := func(gdb *gorm.DB, sql string, args ...any) int64 {
		t.Helper()
		var n int64
		if err := gdb.Raw(sql, args...).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	const torn = `SELECT COUNT(*) FROM opportunities o WHERE o.version <> (SELECT MAX(h.version) FROM opportunity_history h WHERE h.opportunity_id = o.id)`
	if n := count(liveDB, torn); n != 0 {
		t.Fatalf("test premise: %d opportunities on the live database disagree with their history", n)
	}
	if n := count(copyDB, torn); n != 0 {
		t.Errorf("%d opportunities in the backup disagree with their history", n)
	}
	var dangling []map[string]any
	copyDB.Raw("PRAGMA foreign_key_check").Scan(&dangling)
	if len(dangling) > 0 {
		t.Errorf("dangling references in the backup: %v", dangling)
	}
	const runOpps = `SELECT COUNT(*) FROM opportunity_history WHERE field = 'created' AND new_value LIKE 'b-%'`
	inCopy, inLive := count(copyDB, runOpps), count(liveDB, runOpps)
	t.Logf("the run's opportunities: %d in the backup, %d at the end", inCopy, inLive)
	if inCopy == 0 || inCopy >= inLive {
		t.Errorf("the backup has %d of the run's %d opportunities: not taken during the run", inCopy, inLive)
	}

	// The app starts on the copy and takes writes.
	restored := startSalesdesk(t, bin, backupFile, "DEMO=false")
	small := writers.DemoConfig(restored.url, "r", time.Second)
	small.Clients = 4
	after, err := writers.Run(context.Background(), small)
	if err != nil {
		t.Fatal(err)
	}
	if after.Acked == 0 || len(after.Failures) > 0 {
		t.Errorf("on the backup: %s %v", after, after.Failures)
	}
	restored.stop(t)
	restored.checkLog(t)
}
