package handlers_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"salesdesk/db/dbtest"
	"salesdesk/handlers"
)

// Behind a load balancer every customer comes from its address: the quote link
// limit must count the client X-Forwarded-For names, and only when the request
// really comes from a trusted proxy, or anyone could name a fresh client per request.
func TestQuoteLinkLimitCountsForwardedClientsOnlyFromTrustedProxies(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 5, 0, time.UTC)
	proxies, err := handlers.ParseTrustedProxies(" 127.0.0.1, 10.0.0.0/8 ")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		proxies []*net.IPNet
		// the status of the third request, from a second client, after the first used up its two
		wantOther int
	}{
		{"behind a trusted proxy", proxies, http.StatusOK},
		{"no proxy trusted", nil, http.StatusTooManyRequests},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newTestAppWith(t, dbtest.NewDSN(t, true), func(cfg *handlers.Config) {
				cfg.QuoteLinkLimit = 2
				cfg.Now = func() time.Time { return now }
				cfg.TrustedProxies = tc.proxies
			})
			link := app.URL + "/q/" + sentToken(t, app)
			from := func(xff string) int {
				req, err := http.NewRequest(http.MethodGet, link, nil)
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("X-Forwarded-For", xff)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return res.StatusCode
			}
			// A client cannot pass itself off as a proxy by adding addresses on the left.
			for i, xff := range []string{"203.0.113.5", "198.51.100.1, 203.0.113.5"} {
				if got := from(xff); got != http.StatusOK {
					t.Fatalf("request %d of the first client: %d, want 200", i+1, got)
				}
			}
			if got := from("203.0.113.5"); got != http.StatusTooManyRequests {
				t.Errorf("third request of the first client: %d, want 429", got)
			}
			if got := from("203.0.113.9"); got != tc.wantOther {
				t.Errorf("first request of another client: %d, want %d", got, tc.wantOther)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	nets, err := handlers.ParseTrustedProxies("192.0.2.7, 10.0.0.0/8,,2001:db8::1, 2001:db8:1::/48")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"192.0.2.7/32", "10.0.0.0/8", "2001:db8::1/128", "2001:db8:1::/48"}
	if len(nets) != len(want) {
		t.Fatalf("got %v, want %v", nets, want)
	}
	for i, n := range nets {
		if n.String() != want[i] {
			t.Errorf("entry %d = %s, want %s", i, n, want[i])
		}
	}
	for _, bad := range []string{"10.0.0.300", "10.0.0.0/33", "lb.internal", "10.0.0.0/8 192.0.2.1"} {
		if _, err := handlers.ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	if nets, err := handlers.ParseTrustedProxies(""); err != nil || nets != nil {
		t.Errorf("empty list: %v %v, want none and no error", nets, err)
	}
}
