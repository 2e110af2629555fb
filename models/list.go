package models

import "strings"

// PageSize is the number of rows on one page of a list.
const PageSize = 25

// Page is a window on a list: offset pagination that fetches one extra row to
// know whether a next page exists, instead of counting the whole table.
type Page struct {
	Number int // 1-based
	Size   int
	// After and Before are keyset cursors, for lists that support them: the id
	// of the row this page follows (the next link) or precedes (the previous link).
	After, Before uint
}

func NewPage(number int) Page {
	if number < 1 {
		number = 1
	}
	// A page past any realistic list would only make the database skip rows for nothing.
	if number > 100000 {
		number = 100000
	}
	return Page{Number: number, Size: PageSize}
}

func (p Page) Offset() int { return (p.Number - 1) * p.Size }

// Trim drops the extra row fetched to detect a next page.
func Trim[T any](rows []T, p Page) ([]T, bool) {
	if len(rows) > p.Size {
		return rows[:p.Size], true
	}
	return rows, false
}

// likePattern turns user text into a LIKE pattern that matches it anywhere,
// ignoring case (NameKey), with the wildcards the user typed taken literally
// (used with ESCAPE '\').
func likePattern(s string) string {
	return "%" + likeEscape(NameKey(s)) + "%"
}

// likeEscape makes LIKE's wildcards in s literal (used with ESCAPE '\').
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
