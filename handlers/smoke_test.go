package handlers_test

import (
	"net/http"
	"testing"
)

func TestSignInAndSeeOpportunities(t *testing.T) {
	app := newTestApp(t)
	c := app.client(t).login("rep@example.com")
	r := c.get("/opportunities?status=all&owner=all")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /opportunities: %d", r.Status)
	}
	if n := r.doc(t).Find("table.list tbody tr").Length(); n != 25 {
		t.Fatalf("want a full first page of 25 rows, got %d", n)
	}
}
