package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"salesdesk/models"
)

// Opening a quote marks its owner's news about it read, and only that news.
func TestOpeningAQuoteReadsItsNotifications(t *testing.T) {
	app := newTestApp(t)
	rep := userByEmail(t, app, "rep@example.com")
	q := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Viewed quote", qtItems())
	other := qtNewQuote(t, app, qtNewOpp(t, app, rep), rep, "Other quote", qtItems())
	now := time.Now().UTC()
	news := []models.Notification{
		{UserID: rep.ID, Message: "Approved", Link: qtPath(q, ""), CreatedAt: now},
		{UserID: rep.ID, Message: "Declined", Link: qtPath(other, ""), CreatedAt: now},
	}
	if err := app.DB.Create(&news).Error; err != nil {
		t.Fatal(err)
	}
	c := app.client(t).login("rep@example.com")
	for i := 0; i < 2; i++ { // the second view finds nothing unread and changes nothing
		wantStatus(t, "quote", c.get(qtPath(q, "")), http.StatusOK)
		var got []models.Notification
		app.DB.Order("id").Find(&got, []uint{news[0].ID, news[1].ID})
		if len(got) != 2 || got[0].ReadAt == nil || got[1].ReadAt != nil {
			t.Fatalf("view %d: notifications %+v, want the viewed quote's read and the other's unread", i+1, got)
		}
	}
}
