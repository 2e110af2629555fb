package handlers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// gate is a server with /work, which holds its place until release is closed,
// and /stream, which gives its place back first, behind an admission of n.
type gate struct {
	url                    string
	started, running, peak atomic.Int32
	release                chan struct{}
	open                   func() // closes release, once
	mu                     sync.Mutex
	statuses               []int // as the request log records them
}

func admissionServer(t *testing.T, n int) *gate {
	t.Helper()
	g := &gate{release: make(chan struct{})}
	g.open = sync.OnceFunc(func() { close(g.release) })
	running, peak := &g.running, &g.peak
	work := func(c echo.Context) error {
		g.started.Add(1)
		now := running.Add(1)
		defer running.Add(-1)
		for {
			old := peak.Load()
			if now <= old || peak.CompareAndSwap(old, now) {
				break
			}
		}
		<-g.release
		return c.String(http.StatusOK, "done")
	}
	e := echo.New()
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			g.mu.Lock()
			g.statuses = append(g.statuses, c.Response().Status)
			g.mu.Unlock()
			return err
		}
	})
	r := e.Group("", newAdmission(n).middleware)
	r.GET("/work", work)
	r.POST("/write", func(c echo.Context) error { return c.String(http.StatusOK, "written") })
	r.GET("/stream", func(c echo.Context) error {
		leaveAdmission(c)
		return work(c)
	})
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	t.Cleanup(g.open) // runs first: a failed test leaves no handler blocked
	g.url = srv.URL
	return g
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func get(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

func TestAdmissionLetsOnlyNWorkAtOnce(t *testing.T) {
	g := admissionServer(t, 2)
	url, running, peak := g.url, &g.running, &g.peak
	var wg sync.WaitGroup
	codes := make(chan int, 6)
	for range 6 {
		wg.Go(func() {
			code, err := get(context.Background(), url+"/work")
			if err != nil {
				t.Error(err)
			}
			codes <- code
		})
	}
	waitFor(t, "two requests at work", func() bool { return running.Load() == 2 })
	time.Sleep(100 * time.Millisecond) // the other four had time to get in, if they could
	if got := running.Load(); got != 2 {
		t.Fatalf("%d requests at work behind an admission of 2", got)
	}
	g.open()
	wg.Wait()
	close(codes)
	for code := range codes {
		if code != http.StatusOK {
			t.Errorf("a queued request got %d, want 200", code)
		}
	}
	if p := peak.Load(); p != 2 {
		t.Errorf("peak of requests at work = %d, want 2", p)
	}
}

func TestAdmissionStreamingResponseGivesItsPlaceBack(t *testing.T) {
	g := admissionServer(t, 1)
	url, running := g.url, &g.running
	go get(context.Background(), url+"/stream")
	waitFor(t, "the stream at work", func() bool { return running.Load() == 1 })
	// The stream left the gate, so a request gets in while it goes on.
	go get(context.Background(), url+"/work")
	waitFor(t, "a request beside the stream", func() bool { return running.Load() == 2 })
}

func TestAdmissionDropsAClientThatGaveUpWhileQueued(t *testing.T) {
	g := admissionServer(t, 1)
	url, running := g.url, &g.running
	go get(context.Background(), url+"/work")
	waitFor(t, "the first request at work", func() bool { return running.Load() == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := get(ctx, url+"/work"); err == nil {
		t.Fatal("a queued request answered while the only place was taken")
	}
	time.Sleep(300 * time.Millisecond) // for the server to see the connection closed
	g.open()
	// The queued request's client is gone: it must not be worked on once the place frees.
	waitFor(t, "the first request done", func() bool { return running.Load() == 0 })
	time.Sleep(100 * time.Millisecond)
	if n := g.started.Load(); n != 1 {
		t.Errorf("%d requests worked on, want 1: the one whose client gave up was worked on", n)
	}
	if code, err := get(context.Background(), url+"/work"); err != nil || code != http.StatusOK {
		t.Fatalf("after the gate cleared: %d %v, want 200", code, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if want := []int{statusClientGone, http.StatusOK, http.StatusOK}; !slices.Contains(g.statuses, statusClientGone) || len(g.statuses) != 3 {
		t.Errorf("logged statuses %v, want %v in some order: the client gone is no server error", g.statuses, want)
	}
}

func TestAdmissionLetsWritesPass(t *testing.T) {
	g := admissionServer(t, 1)
	go get(context.Background(), g.url+"/work")
	waitFor(t, "a read at work", func() bool { return g.running.Load() == 1 })
	// The only place is taken; a write does not wait for it.
	done := make(chan int, 1)
	go func() {
		res, err := http.Post(g.url+"/write", "text/plain", nil)
		if err != nil {
			done <- 0
			return
		}
		res.Body.Close()
		done <- res.StatusCode
	}()
	select {
	case code := <-done:
		if code != http.StatusOK {
			t.Errorf("write: %d, want 200", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a write waited behind a read for the admission")
	}
}
