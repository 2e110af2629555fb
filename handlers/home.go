package handlers

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"salesdesk/models"
	"salesdesk/views"
)

func (a *App) home(c echo.Context) error {
	u := currentUser(c)
	now := a.now().UTC()
	v := views.HomeView{FirstName: strings.Fields(u.Name + " there")[0], Sales: featuresOf(c).On(models.FeatureSales)}
	if v.Sales {
		mine := models.OppFilter{OwnerID: u.ID, OpenOnly: true, Sort: "close"}
		open, err := models.TotalOpportunities(a.db, mine)
		if err != nil {
			return err
		}
		monthStart := today(now).AddDate(0, 0, 1-now.Day())
		month := mine
		month.CloseBefore = monthStart.AddDate(0, 1, 0)
		closing, err := models.TotalOpportunities(a.db, month)
		if err != nil {
			return err
		}
		rows, _, err := models.ListOpportunities(a.db, month, models.Page{Number: 1, Size: 50})
		if err != nil {
			return err
		}
		todos, err := models.OpenTodosFor(a.db, u.ID, 50)
		if err != nil {
			return err
		}
		v.Todos = todoRows(todos, u, today(now))
		v.MonthURL = "/opportunities?owner=me"
		v.OpenCount, v.OpenAmount = strconv.FormatInt(open.Count, 10), open.Amount.Display()
		v.MonthCount, v.MonthAmount = strconv.FormatInt(closing.Count, 10), closing.Amount.Display()
		v.MonthName = now.Month().String() + " (or overdue)"
		v.Upcoming = oppRows(rows, now)
		if v.Quotes, err = a.homeQuotes(c, u, now); err != nil {
			return err
		}
		if featuresOf(c).On(models.FeatureQuoteManager) {
			s, err := models.LoadQuoteManagerSettings(a.db)
			if err != nil {
				return err
			}
			v.QuotesTool = s.Name()
		} else {
			// Past their date unanswered, on a deal still open: to quote again.
			var n int64
			if err := models.WaitingQuotesOf(a.db, u.ID, today(now), true).Count(&n).Error; err != nil {
				return err
			}
			v.ExpiredQuotes, v.ExpiredURL = int(n), "/quotes?status=expired&owner="+idStr(u.ID)
		}
	}
	notes, err := models.UnreadNotifications(a.db, u.ID)
	if err != nil {
		return err
	}
	for _, n := range notes {
		if strings.HasPrefix(n.Link, "/quotes/") && featuresOf(c).On(models.FeatureQuoteManager) {
			continue // news of a built-in quote, hidden while the Quote Manager replaces them
		}
		v.Notices = append(v.Notices, views.Fact{Label: n.Message + " (" + n.CreatedAt.UTC().Format("2 Jan 15:04") + ")", Value: n.Link})
	}
	var orgs []models.Organization
	if err := a.db.Order("created_at DESC, id DESC").Limit(5).Find(&orgs).Error; err != nil {
		return err
	}
	for _, o := range orgs {
		v.RecentOrgs = append(v.RecentOrgs, views.OrgRow{ID: o.ID, Name: o.Name, Type: o.Type.Label()})
	}
	p := a.page(c, "Home")
	p.Heading = false
	return render(c, http.StatusOK, views.HomePage(p, v))
}
