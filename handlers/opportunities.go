package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// oppColumns are the sortable columns of the list, with how each direction reads.
var oppColumns = []struct{ key, label, asc, desc string }{
	{"title", "Title", "A–Z", "Z–A"}, {"organization", "Organization", "A–Z", "Z–A"}, {"owner", "Owner", "A–Z", "Z–A"},
	{"stage", "Stage", "first to last", "last to first"}, {"status", "Status", "A–Z", "Z–A"},
	{"probability", "Probability", "lowest first", "highest first"}, {"close", "Projected close", "soonest first", "latest first"},
	{"amount", "Amount", "smallest first", "largest first"},
}

// oppQuery is the list and board filters read from the query string.
type oppQuery struct {
	filter models.OppFilter
	form   views.OppFilters
	values url.Values
	users  []models.User // the active users, offered as owners
	// choices are the owners, stages and categories on offer.
	choices models.ListChoices
}

// parseOppQuery reads the filters shared by the list, the board and the CSV export.
// Reps see their own opportunities by default ("My opportunities"); owner=all shows everyone's.
func (a *App) parseOppQuery(c echo.Context, action string, board bool) (oppQuery, error) {
	u := currentUser(c)
	q := c.QueryParams()
	f := models.OppFilter{Text: truncate(q.Get("q"), 200)}
	form := views.OppFilters{Action: action, Text: f.Text, CloseFrom: q.Get("close_from"), CloseTo: q.Get("close_to")}

	status := q.Get("status")
	switch s := models.OppStatus(status); {
	case s.Valid() && (!board || s.Open()):
		f.Status = s
	case status == "won" && !board:
		f.WonOnly = true
	case status == "all" && !board:
	default:
		status, f.OpenOnly = "open", true
	}
	form.Statuses = []views.Option{{Value: "open", Label: "Open (Active, Not Ready To Buy)", Selected: status == "open"}}
	if !board {
		form.Statuses = append(form.Statuses, views.Option{Value: "all", Label: "All statuses", Selected: status == "all"},
			views.Option{Value: "won", Label: "Won (Closed, Implemented)", Selected: status == "won"})
	}
	// Drill-down from the reports: these narrow the list without a field of their own.
	// The campaign and "entered without a lead" are part of Marketing: with it
	// off they are ignored, as if not sent, and the page's links drop them.
	if !featuresOf(c).On(models.FeatureMarketing) {
		q.Del("campaign")
		q.Del("lead")
	}
	f.CampaignID, _ = parseID(q.Get("campaign"))
	f.NoLead = q.Get("lead") == "none"
	f.Quoted = q.Get("quoted") == "1"
	f.ExternalQuotes = featuresOf(c).On(models.FeatureQuoteManager)
	if d, ok := parseDate(q.Get("created_from")); ok {
		f.CreatedFrom = d
	}
	if d, ok := parseDate(q.Get("created_to")); ok {
		f.CreatedBefore = d.AddDate(0, 0, 1)
	}
	for _, s := range models.OppStatuses {
		if !board || s.Open() {
			form.Statuses = append(form.Statuses, views.Option{Value: string(s), Label: s.Label(), Selected: s == f.Status})
		}
	}

	owner := q.Get("owner")
	if owner == "" {
		owner = "all"
		if !u.SeesAllRecords() {
			owner = "me"
		}
	}
	switch {
	case owner == "me":
		f.OwnerID = u.ID
	case owner == "all":
	default:
		if id, ok := parseID(owner); ok {
			f.OwnerID = id
		} else {
			owner = "all"
		}
	}
	// The owners, stages and categories on offer, in one query.
	choices, err := models.LoadListChoices(a.db)
	if err != nil {
		return oppQuery{}, err
	}
	users := choices.Users
	form.Owners = []views.Option{{Value: "me", Label: "My opportunities", Selected: owner == "me"}, {Value: "all", Label: "Everyone", Selected: owner == "all"}}
	form.Owners = append(form.Owners, userOptions(users, owner, "")...)

	if !board {
		stages := choices.Stages
		f.StageID, _ = parseID(q.Get("stage"))
		form.Stages = []views.Option{{Value: "", Label: "All stages", Selected: f.StageID == 0}}
		for _, s := range stages {
			form.Stages = append(form.Stages, views.Option{Value: idStr(s.ID), Label: s.Name, Selected: s.ID == f.StageID})
		}
	}
	cats := choices.Categories
	f.CategoryID, _ = parseID(q.Get("category"))
	form.Categories = append([]views.Option{{Value: "", Label: "All categories"}}, picklistOptions(cats, idStr(f.CategoryID))...)
	if r := models.Rating(q.Get("rating")); r.Valid() {
		f.Rating = r
	}
	form.Ratings = []views.Option{{Value: "", Label: "Any rating", Selected: f.Rating == ""}}
	for _, r := range models.Ratings {
		form.Ratings = append(form.Ratings, views.Option{Value: string(r), Label: r.Label(), Selected: r == f.Rating})
	}
	if s := strings.TrimSpace(form.CloseFrom); s != "" {
		if d, ok := parseDate(s); ok {
			f.CloseFrom = d
		} else {
			form.Errs.Add("close_from", "Enter a date such as 2026-12-31.")
		}
	}
	if s := strings.TrimSpace(form.CloseTo); s != "" {
		if d, ok := parseDate(s); ok {
			f.CloseBefore = d.AddDate(0, 0, 1)
		} else {
			form.Errs.Add("close_to", "Enter a date such as 2026-12-31.")
		}
	}

	// sort=amount sorts ascending, sort=-amount descending.
	f.Sort, f.Desc = strings.TrimPrefix(q.Get("sort"), "-"), strings.HasPrefix(q.Get("sort"), "-")
	if _, ok := models.OppSorts[f.Sort]; !ok {
		f.Sort, f.Desc = "close", false
	}
	if !board {
		sortValue := f.Sort
		if f.Desc {
			sortValue = "-" + f.Sort
		}
		for _, col := range oppColumns {
			form.Sorts = append(form.Sorts,
				views.Option{Value: col.key, Label: col.label + " " + col.asc, Selected: col.key == sortValue},
				views.Option{Value: "-" + col.key, Label: col.label + " " + col.desc, Selected: "-"+col.key == sortValue})
		}
	}
	defaultOwner := "all"
	if !u.SeesAllRecords() {
		defaultOwner = "me"
	}
	form.Filtered = f.Text != "" || status != "open" || owner != defaultOwner || f.StageID != 0 || f.CategoryID != 0 ||
		f.Rating != "" || form.CloseFrom != "" || form.CloseTo != "" || f.CampaignID != 0 || f.Quoted || f.NoLead || !f.CreatedFrom.IsZero() || !f.CreatedBefore.IsZero()
	form.ClearURL = action
	if form.Chips, err = drillDownChips(a.db, action, q, f); err != nil {
		return oppQuery{}, err
	}
	return oppQuery{filter: f, form: form, values: q, users: users, choices: choices}, nil
}

// withQuery is path with the current query, some parameters replaced or removed ("").
func withQuery(path string, q url.Values, set map[string]string) string {
	q2 := url.Values{}
	for k, vs := range q {
		q2[k] = vs
	}
	for k, v := range set {
		if v == "" {
			q2.Del(k)
		} else {
			q2.Set(k, v)
		}
	}
	if s := q2.Encode(); s != "" {
		return path + "?" + s
	}
	return path
}

func (a *App) listOpportunities(c echo.Context) error {
	u := currentUser(c)
	oq, err := a.parseOppQuery(c, "/opportunities", false)
	if err != nil {
		return err
	}
	q := oq.values
	// The search's matches, found once for the page and its totals.
	f, err := oq.filter.Searched(a.db)
	if err != nil {
		return err
	}
	p := models.NewPage(pageNumber(q.Get("page")))
	p.After, _ = parseID(q.Get("after"))
	p.Before, _ = parseID(q.Get("before"))
	totals, err := models.TotalOpportunities(a.db, f)
	if err != nil {
		return err
	}
	f.Many = totals.Count >= models.ManyOpportunities
	rows, more, err := models.ListOpportunitiesNamed(a.db, f, p, oq.choices.Names())
	if err != nil {
		return err
	}
	v := views.OppListPage{
		Filters:  oq.form,
		Table:    views.OppTable{Rows: oppRows(rows, a.now()), ShowOrg: true},
		Pager:    oppPager(q, p, rows, more),
		Count:    countNoun(totals.Count, "opportunity", "opportunities"),
		CSVURL:   withQuery("/opportunities/export.csv", q, map[string]string{"page": "", "after": "", "before": ""}),
		BoardURL: withQuery("/opportunities/board", q, map[string]string{"page": "", "after": "", "before": "", "sort": "", "stage": ""}),
	}
	v.Table.Totals = &views.OppTotalsRow{Label: "Total of the " + v.Count + " filtered", Amount: totals.Amount.Display(), Weighted: totals.Weighted.Display()}
	for _, col := range oppColumns {
		if col.key == "status" {
			continue // shown with the stage; sortable from the Sort by menu
		}
		h := views.SortHeader{Label: col.label, Active: col.key == f.Sort, Num: col.key == "amount" || col.key == "probability"}
		h.Desc = h.Active && f.Desc
		sort := col.key
		if h.Active && !f.Desc {
			sort = "-" + col.key
		}
		h.URL = withQuery("/opportunities", q, map[string]string{"page": "", "after": "", "before": "", "sort": sort})
		v.Table.Headers = append(v.Table.Headers, h)
	}
	if u.SeesAllRecords() {
		v.Reassign = userOptions(oq.users, "", "Choose a new owner")
		v.Table.SelectForm = "reassign"
	}
	status := http.StatusOK
	if oq.form.Errs.Any() {
		status = http.StatusUnprocessableEntity
	}
	return render(c, status, views.OpportunitiesPage(a.page(c, "Opportunities"), v))
}

// oppPager links the pages of the list by keyset: the next page starts after
// this page's last row and the previous one ends before its first, so page
// 40,000 costs what page 2 costs. The page number is kept for "From–To" and as
// the fallback when a cursor's row is gone.
func oppPager(q url.Values, p models.Page, rows []models.OppRow, more bool) views.Pager {
	v := pager("/opportunities", q, p, len(rows), more)
	if len(rows) == 0 {
		return v
	}
	if v.NextURL != "" {
		v.NextURL = withQuery("/opportunities", q, map[string]string{"page": strconv.Itoa(p.Number + 1),
			"after": idStr(rows[len(rows)-1].ID), "before": ""})
	}
	if v.PrevURL != "" && p.Number > 2 {
		v.PrevURL = withQuery("/opportunities", q, map[string]string{"page": strconv.Itoa(p.Number - 1),
			"before": idStr(rows[0].ID), "after": ""})
	} else if v.PrevURL != "" {
		v.PrevURL = withQuery("/opportunities", q, map[string]string{"page": "", "before": "", "after": ""})
	}
	return v
}

func countNoun(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// exportOpportunities streams the filtered list as CSV, every row, not one page.
func (a *App) exportOpportunities(c echo.Context) error {
	oq, err := a.parseOppQuery(c, "/opportunities", false)
	if err != nil {
		return err
	}
	if oq.form.Errs.Any() {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "The filters hold an invalid date: "+oq.form.Errs.For(oq.form.Errs.First()))
	}
	header := []string{"ID", "Title", "Organization", "Owner", "Stage", "Status", "Probability (%)", "Projected close", "Amount", "Weighted amount"}
	return a.streamCSV(c, "opportunities-"+a.now().UTC().Format("2006-01-02")+".csv", header, func(write func([]string) error) error {
		return models.EachOpportunity(a.db, oq.filter, func(r models.OppRow) error {
			return write([]string{idStr(r.ID), csvSafe(r.Title), csvSafe(r.OrganizationName), csvSafe(r.OwnerName), csvSafe(r.StageName),
				r.Status.Label(), strconv.Itoa(r.Probability), r.ProjectedCloseDate.Format(dateInput),
				r.Amount.Input0(), r.Weighted().Input0()})
		})
	})
}

func (a *App) reassignOpportunities(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return errBadForm
	}
	back := safeNext(c.Request().Referer())
	if ref, err := url.Parse(c.Request().Referer()); err == nil && ref.Host == c.Request().Host {
		back = safeNext(ref.RequestURI())
	}
	if back == "" {
		back = "/opportunities"
	}
	var ids []uint
	for _, s := range form["ids"] {
		if id, ok := parseID(s); ok {
			ids = append(ids, id)
		}
	}
	ownerID, ok := parseID(form.Get("owner_id"))
	if len(ids) == 0 || !ok {
		return a.redirectWithFlash(c, back, "Nothing was reassigned: tick the opportunities to move and choose a new owner.")
	}
	if len(ids) > 500 {
		return a.redirectWithFlash(c, back, "Nothing was reassigned: at most 500 opportunities at a time.")
	}
	n, err := models.Reassign(a.db, ids, ownerID, currentUser(c), a.now().UTC())
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return a.redirectWithFlash(c, back, "Nothing was reassigned: the new owner must be an active user.")
	}
	if err != nil {
		return err
	}
	var owner models.User
	if err := a.db.First(&owner, ownerID).Error; err != nil {
		return err
	}
	return a.redirectWithFlash(c, back, "Reassigned "+countNoun(int64(n), "opportunity", "opportunities")+" to "+owner.Name+".")
}

// boardCardsPerColumn bounds a column; the rest is one click away in the list.
const boardCardsPerColumn = 30

func (a *App) opportunityBoard(c echo.Context) error {
	u := currentUser(c)
	oq, err := a.parseOppQuery(c, "/opportunities/board", true)
	if err != nil {
		return err
	}
	// The search's matches, found once for the column sums and the cards.
	f, err := oq.filter.Searched(a.db)
	if err != nil {
		return err
	}
	f.Sort, f.Desc = "close", false
	stages := oq.choices.OpenStages()
	ids := make([]uint, len(stages))
	for i, s := range stages {
		ids[i] = s.ID
	}
	sums, err := models.StageTotals(a.db, f, ids)
	if err != nil {
		return err
	}
	var moveTo []views.Option
	for _, s := range stages {
		moveTo = append(moveTo, views.Option{Value: idStr(s.ID), Label: s.Name})
	}
	now := a.now()
	page := views.BoardPage{Filters: oq.form, ListURL: withQuery("/opportunities", oq.values, nil)}
	cards, err := models.BoardCards(a.db, f, ids, boardCardsPerColumn, oq.choices.Names())
	if err != nil {
		return err
	}
	for _, s := range stages {
		rows := cards[s.ID]
		t := sums[s.ID]
		col := views.BoardColumn{StageID: s.ID, Name: s.Name, Count: strconv.FormatInt(t.Count, 10),
			Amount: t.Amount.Display(), Weighted: t.Weighted.Display()}
		for _, o := range moveTo {
			o.Selected = o.Value == idStr(s.ID)
			col.MoveTo = append(col.MoveTo, o)
		}
		if int(t.Count) > len(rows) {
			col.More = int(t.Count) - len(rows)
			col.MoreURL = withQuery("/opportunities", oq.values, map[string]string{"stage": idStr(s.ID)})
		}
		for _, r := range rows {
			cd := views.BoardCard{ID: r.ID, Version: r.Version, Title: r.Title, OrgName: r.OrganizationName,
				Amount: r.Amount.Display(), Close: r.ProjectedCloseDate.Format(dateShown),
				Overdue: r.ProjectedCloseDate.Before(today(now)), Owner: r.OwnerName, CanMove: u.CanEditOwned(r.OwnerID)}
			col.Cards = append(col.Cards, cd)
		}
		page.Columns = append(page.Columns, col)
	}
	return render(c, http.StatusOK, views.OpportunityBoardPage(a.page(c, "Pipeline board"), page))
}

// moveOpportunityStage is the one route both the board's small form and its
// drag-and-drop use.
func (a *App) moveOpportunityStage(c echo.Context) error {
	u := currentUser(c)
	o, err := a.loadOpportunity(c)
	if err != nil {
		return err
	}
	if !u.CanEditOwned(o.OwnerID) {
		return errForbidden
	}
	back := safeNext(c.FormValue("back"))
	if back == "" {
		back = "/opportunities/board"
	}
	version := parseVersion(c.FormValue("version"))
	stageID, ok := parseID(c.FormValue("stage_id"))
	if !ok {
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "Choose a stage to move the opportunity to.")
	}
	o.Organization, o.Contact, o.Owner, o.Stage = nil, nil, nil, nil
	err = models.MoveStage(a.db, o, version, stageID, u, a.now().UTC())
	var conflict *models.ConflictError
	switch {
	case errors.As(err, &conflict):
		return a.renderConflictNotice(c, conflict, back)
	case errors.Is(err, models.ErrNoStage):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "That stage cannot be chosen here: pick an open, active stage. Won and lost are set from the opportunity page.")
	case errors.Is(err, models.ErrNotOpen):
		return echo.NewHTTPError(http.StatusUnprocessableEntity, "This opportunity is closed; reopen it before moving it.")
	case err != nil:
		return err
	}
	var st models.Stage
	if err := a.db.First(&st, stageID).Error; err != nil {
		return err
	}
	return a.redirectWithFlash(c, back, "Moved “"+o.Title+"” to "+st.Name+".")
}

// stages lists the active stages; with closed set, the won and lost ones too.
func (a *App) stages(closed bool) ([]models.Stage, error) {
	q := a.db.Where("active = ?", true)
	if !closed {
		q = q.Where("is_won = ? AND is_lost = ?", false, false)
	}
	var ss []models.Stage
	err := q.Order("position, id").Find(&ss).Error
	return ss, err
}

func picklistOptions(vs []models.PicklistValue, selected string) []views.Option {
	var opts []views.Option
	for _, v := range vs {
		label := v.Name
		if !v.Active {
			label += " (inactive)"
		}
		opts = append(opts, views.Option{Value: idStr(v.ID), Label: label, Selected: idStr(v.ID) == selected})
	}
	return opts
}

func changeRows(hs []models.HistoryEntry) []views.ChangeRow {
	out := make([]views.ChangeRow, len(hs))
	for i, h := range hs {
		who := "System"
		if h.User != nil {
			who = h.User.Name
		}
		out[i] = views.ChangeRow{When: h.CreatedAt.UTC().Format("2 Jan 2006 15:04"), Who: who, Field: models.FieldLabel(h.Field), Old: h.OldValue, New: h.NewValue}
	}
	return out
}

// conflictBy names who made the conflicting changes.
func conflictBy(hs []models.HistoryEntry) string {
	names := map[string]bool{}
	var list []string
	for _, h := range hs {
		n := "Someone"
		if h.User != nil {
			n = h.User.Name
		}
		if !names[n] {
			names[n] = true
			list = append(list, n)
		}
	}
	if len(list) == 0 {
		return "Someone else"
	}
	return strings.Join(list, " and ")
}
