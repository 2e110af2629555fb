package handlers

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"salesdesk/models"
	"salesdesk/views"
)

const (
	dateShown = "2 Jan 2006"
	dateInput = "2006-01-02"
)

func today(now time.Time) time.Time { return models.DateOnly(now) }

// oppRows shapes list rows for every opportunity table of the app.
func oppRows(rows []models.OppRow, now time.Time) []views.OppRow {
	out := make([]views.OppRow, len(rows))
	t := today(now)
	for i, r := range rows {
		out[i] = views.OppRow{
			ID: r.ID, Title: r.Title, OrgID: r.OrganizationID, OrgName: r.OrganizationName, Owner: r.OwnerName,
			Stage: r.StageName, Status: r.Status.Label(), StatusKey: string(r.Status),
			Probability: strconv.Itoa(r.Probability) + "%", Close: r.ProjectedCloseDate.Format(dateShown),
			Overdue: r.Status.Open() && r.ProjectedCloseDate.Before(t), Amount: r.Amount.Display(), Weighted: r.Weighted().Display(),
		}
	}
	return out
}

// pager builds the previous/next links of a list, keeping the other query parameters.
func pager(base string, q url.Values, p models.Page, shown int, more bool) views.Pager {
	v := views.Pager{}
	if shown > 0 {
		v.From, v.To = p.Offset()+1, p.Offset()+shown
	}
	link := func(n int) string {
		q2 := url.Values{}
		for k, vs := range q {
			q2[k] = vs
		}
		if n <= 1 {
			q2.Del("page")
		} else {
			q2.Set("page", strconv.Itoa(n))
		}
		if s := q2.Encode(); s != "" {
			return base + "?" + s
		}
		return base
	}
	if p.Number > 1 {
		v.PrevURL = link(p.Number - 1)
	}
	if more {
		v.NextURL = link(p.Number + 1)
	}
	return v
}

func pageNumber(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 1
	}
	return n
}

func userOptions(users []models.User, selected string, blank string) []views.Option {
	var opts []views.Option
	if blank != "" {
		opts = append(opts, views.Option{Value: "", Label: blank, Selected: selected == ""})
	}
	for _, u := range users {
		id := strconv.FormatUint(uint64(u.ID), 10)
		opts = append(opts, views.Option{Value: id, Label: u.Name, Selected: id == selected})
	}
	return opts
}

// optionalDate reads a date field that may be left empty: nil when it is,
// and nil with a message next to the field when it holds no date.
func optionalDate(errs *views.Errors, field, s string) *time.Time {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	d, ok := parseDate(s)
	if !ok {
		errs.Add(field, "Enter a date such as 2026-12-31, between the years 2000 and 2100.")
		return nil
	}
	return &d
}

func parseDate(s string) (time.Time, bool) {
	d, err := time.Parse(dateInput, strings.TrimSpace(s))
	if err != nil || d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, false
	}
	return d, true
}

// duration says how long, in days or hours, for people.
func duration(d time.Duration) string {
	switch days := int(d.Hours() / 24); {
	case days >= 2:
		return strconv.Itoa(days) + " days"
	case days == 1:
		return "1 day"
	}
	if h := int(d.Hours()); h >= 1 {
		return strconv.Itoa(h) + " h"
	}
	return "less than an hour"
}

// moneyError is the message for an amount that did not parse.
func moneyError(err error) string {
	if errors.Is(err, models.ErrMoneyFormat) {
		return "Enter an amount such as 1250 or 1,250.50."
	}
	return "The amount is too large: at most " + models.MaxMoney.Display() + "."
}

// parseVersion reads the record version a form was made from. Anything that
// is not a version a record can have (empty, malformed, out of range) is -1,
// which never matches, so the save is refused as a conflict instead of
// overflowing the version column.
func parseVersion(s string) int {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v <= 0 || v > math.MaxInt32 {
		return -1
	}
	return v
}

// thousands writes n with commas between groups of three digits: 10,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
