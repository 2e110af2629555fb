package views

import "strings"

// ExtQuoteRow is one quote of the Quote Manager integration, wherever quotes are listed.
type ExtQuoteRow struct {
	ID          uint
	Number      string
	Title       string
	OppID       uint
	OppTitle    string
	OrgName     string
	Status      string
	StatusKey   string // draft, sent, viewed, declined, won, withdrawn, expired
	Expires     string
	OneTime     string
	Monthly     string
	Yearly      string
	Total       string
	DocumentURL string
	SalesOrder  string // "SO-1042 · Shipped", or ""
	Owner       string // the owner's e-mail in the tool
	CanWin      bool   // Won, and the user may close the open opportunity
	CanLose     bool   // Declined, and the user may close the open opportunity
}

// ExtQuoteListPage is /quotes while the integration is active.
type ExtQuoteListPage struct {
	Tool     string // the tool's display name
	NewURL   string // "" when no base URL is set
	Statuses []Option
	Rows     []ExtQuoteRow
	Pager    Pager
}

// ExtQuotesSection is the quotes of an opportunity while the integration is active.
type ExtQuotesSection struct {
	Tool   string
	NewURL string // with the opportunity id; "" when no base URL is set or the user may not add
	Rows   []ExtQuoteRow
}

// QuoteManagerSettingsForm is the admin's settings page of the integration.
type QuoteManagerSettingsForm struct {
	DisplayName string `form:"display_name"`
	BaseURL     string `form:"base_url"`
	AutoMarkWon string `form:"auto_mark_won"`
	WinReasonID string `form:"win_reason_id"`
	WinReasons  []Option
	Errs        Errors
	// The key: never shown again after the page that made it.
	HasKey     bool
	KeyHint    string
	KeyCreated string
	NewKey     string
	Endpoint   string // the absolute URL of the API
}

// IntegrationLogRow is one API call in the log.
type IntegrationLogRow struct {
	When       string
	ISO        string
	Method     string
	ExternalID string
	Status     string
	Result     string
	Problems   []string
	Failed     bool
}

// orDash shows an empty value as a dash.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// ExtBreakdown is the totals of an external quote per period, the non-zero ones.
func ExtBreakdown(r ExtQuoteRow) string {
	var parts []string
	for _, p := range []struct{ v, l string }{{r.OneTime, " one-time"}, {r.Monthly, " monthly"}, {r.Yearly, " yearly"}} {
		if p.v != "" {
			parts = append(parts, p.v+p.l)
		}
	}
	if len(parts) == 0 {
		return "no amounts"
	}
	return strings.Join(parts, " + ")
}
