package writers_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"salesdesk/db"
	"salesdesk/handlers"
	"salesdesk/internal/writers"
)

// syncBuffer is a log destination many goroutines write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// duration is how long the writers run: WRITERS_DURATION (such as 30s) for a
// real load run, a few seconds in the normal suite.
func duration(t *testing.T, fallback time.Duration) time.Duration {
	d, err := writers.DurationFromEnv(fallback)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestConcurrentWriters runs 50 clients against the real router on a real
// listener and a SQLite file: no 5xx, no "database is locked", every
// acknowledged write in the database, stale edits refused with the conflict page.
func TestConcurrentWriters(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	gdb, err := db.Open(filepath.Join(t.TempDir(), "writers.db"), log)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(gdb); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedDemo(gdb, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	e, err := handlers.New(handlers.Config{DB: gdb, Log: log, SessionKey: []byte(strings.Repeat("k", 32))})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()

	res, err := writers.Run(context.Background(), writers.DemoConfig(srv.URL, "w", duration(t, 4*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("writers: %s", res)
	for _, f := range res.Failures {
		t.Errorf("failure: %s", f)
	}
	if res.Transport > 0 {
		t.Errorf("%d requests got no answer", res.Transport)
	}
	if res.Acked == 0 || res.Stale == 0 || len(res.Items) == 0 {
		t.Fatalf("the run did too little to show anything: %s", res)
	}

	check, err := writers.Verify(gdb, res.Ledger)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("database: %s", check)
	for _, p := range check.Problems {
		t.Error(p)
	}
	if check.RunOpps != check.AckedOpps {
		t.Errorf("the run created %d opportunities, %d were acknowledged", check.RunOpps, check.AckedOpps)
	}

	out := logs.String()
	if p := os.Getenv("WRITERS_LOG"); p != "" {
		_ = os.WriteFile(p, []byte(out), 0o644)
	}
	if strings.Contains(out, "database is locked") || strings.Contains(out, "SQLITE_BUSY") {
		t.Error("the server logged a locked database")
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("server log: %.300s", line)
		}
	}
}
