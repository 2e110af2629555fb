package handlers_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"salesdesk/db/dbtest"
	"salesdesk/handlers"
)

// Calls with a missing or wrong key are limited per client IP, across
// instances: the first badKeyLimit (20) of a minute are answered 401 and
// logged, the rest 429 with Retry-After and not logged; the right key is
// never limited. The log page states the rules.
func TestQuoteManagerBadKeysAreRateLimited(t *testing.T) {
	dsn := dbtest.NewDSN(t, true)
	now := time.Date(2026, 11, 26, 10, 0, 5, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	configure := func(cfg *handlers.Config) { cfg.Now = clock }
	one := newTestAppWith(t, dsn, configure)
	two := newTestAppWith(t, dsn, configure)
	key := qmOn(t, one)
	opp := repOpp(t, one, 0)

	bad := func(app *testApp, i int) apiResponse {
		switch i % 3 {
		case 0:
			return postQuote(t, app, "", qmBody(opp.ID, nil))
		case 1:
			return postQuote(t, app, "sdqm_wrong", qmBody(opp.ID, nil))
		}
		return apiCall(t, http.DefaultClient, app, http.MethodDelete, qmQuotes+"/QM-1001", key+"x", "", nil)
	}
	for i := 0; i < 20; i++ {
		app := []*testApp{one, two}[i%2]
		if r := bad(app, i); r.Status != http.StatusUnauthorized {
			t.Fatalf("bad key call %d: %d, want 401: %s", i+1, r.Status, r.Body)
		}
	}
	if n := logRows(t, one); n != 20 {
		t.Fatalf("%d log entries, want the 20 refused calls", n)
	}
	for i, app := range []*testApp{one, two, one} {
		r := bad(app, i)
		if r.Status != http.StatusTooManyRequests {
			t.Fatalf("call %d over the limit: %d, want 429: %s", 21+i, r.Status, r.Body)
		}
		if got := r.Header.Get("Retry-After"); got != "55" {
			t.Errorf("Retry-After %q, want 55 (seconds left of the minute)", got)
		}
		if msg, _ := r.JSON["error"].(string); !strings.Contains(msg, "wait 55 seconds") {
			t.Errorf("the 429 does not say how long to wait: %s", r.Body)
		}
	}
	if n := logRows(t, one); n != 20 {
		t.Fatalf("%d log entries, want 20: calls over the limit are not logged", n)
	}
	// The right key from the same address is not limited.
	if r := postQuote(t, two, key, qmBody(opp.ID, nil)); r.Status != http.StatusCreated {
		t.Fatalf("the right key over the limit: %d %s", r.Status, r.Body)
	}
	// The next minute a wrong key is answered 401 again.
	mu.Lock()
	now = now.Add(time.Minute)
	mu.Unlock()
	if r := bad(one, 1); r.Status != http.StatusUnauthorized {
		t.Fatalf("next minute: %d", r.Status)
	}
	// The log page says what is kept.
	admin := one.client(t).login("admin@example.com")
	r := admin.get("/admin/quote-manager/log")
	wantStatus(t, "log page", r, http.StatusOK)
	rule := strings.Join(strings.Fields(r.doc(t).Find("#log-retention").Text()), " ")
	for _, want := range []string{"kept 90 days", "newest 10,000", "at most 20 times a minute", "429"} {
		if !strings.Contains(rule, want) {
			t.Errorf("the log page's rule %q does not say %q", rule, want)
		}
	}
}
