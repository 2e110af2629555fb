package views

import (
	"strconv"
	"strings"
)

func isCurrent(path, href string) bool {
	if href == "/" {
		return path == "/"
	}
	return path == href || strings.HasPrefix(path, href+"/")
}

func itoa(n int) string { return strconv.Itoa(n) }

func uitoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }

func maxLen(n int) map[string]any { return map[string]any{"maxlength": itoa(n)} }

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// formAction is the POST target of a create (id 0) or edit form.
func formAction(base string, id uint) string {
	if id == 0 {
		return base
	}
	return base + "/" + uitoa(id)
}

func contactAction(f ContactForm) string {
	if f.ID == 0 {
		return "/organizations/" + uitoa(f.OrgID) + "/contacts"
	}
	return "/contacts/" + uitoa(f.ID)
}

func money() map[string]any { return map[string]any{"inputmode": "decimal", "maxlength": "20"} }

// totalsSpan is how many columns the totals label spans: all but Amount and Weighted.
func totalsSpan(t OppTable) int {
	n := 5 // title, owner, stage, probability, close
	if t.ShowOrg {
		n++
	}
	if t.SelectForm != "" {
		n++
	}
	return n
}

func outcomeAction(f OutcomeForm) string {
	if f.ExternalQuoteID != 0 {
		if f.Won {
			return "/external-quotes/" + uitoa(f.ExternalQuoteID) + "/won"
		}
		return "/external-quotes/" + uitoa(f.ExternalQuoteID) + "/lost"
	}
	if f.QuoteID != 0 {
		if f.Won {
			return "/quotes/" + uitoa(f.QuoteID) + "/won"
		}
		return "/quotes/" + uitoa(f.QuoteID) + "/lost"
	}
	if f.Won {
		return "/opportunities/" + uitoa(f.OppID) + "/won"
	}
	return "/opportunities/" + uitoa(f.OppID) + "/lost"
}

func colourOr(c string) string {
	if c == "" {
		return "#2563eb"
	}
	return c
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func quoteFormAction(f QuoteForm) string {
	if f.ID == 0 {
		return "/opportunities/" + uitoa(f.OppID) + "/quotes"
	}
	return "/quotes/" + uitoa(f.ID)
}

func itemAction(quoteID, itemID uint) string {
	if itemID == 0 {
		return "/quotes/" + uitoa(quoteID) + "/items"
	}
	return "/quotes/" + uitoa(quoteID) + "/items/" + uitoa(itemID)
}

func quoteCols(d QuoteDoc) int {
	if d.Internal {
		return 8
	}
	return 6
}

// joinAnd lists names for a sentence: "A", "A and B", "A, B and C".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
