package handlers_test

import (
	"net/http"
	"testing"
)

// BenchmarkOpportunityList measures the list page through the full router and a
// real HTTP round trip, signed in as a manager, on the demo data.
func BenchmarkOpportunityList(b *testing.B) {
	app := newTestApp(b)
	c := app.client(b).login("manager@example.com")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := c.get("/opportunities?sort=amount&dir=desc"); r.Status != http.StatusOK {
			b.Fatalf("status %d", r.Status)
		}
	}
}
