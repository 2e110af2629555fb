package writers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// Check is what the database holds of a run's acknowledged writes.
type Check struct {
	AckedOpps, FoundOpps     int // acknowledged opportunity creations, and those found
	AckedQuotes, FoundQuotes int
	AckedItems, FoundItems   int
	RunOpps                  int // opportunities the run created, acknowledged or not
	LastEdits, LastEditsOK   int // opportunities with acknowledged edits, and those holding the last one
	ItemEdits, ItemEditsOK   int // lines with acknowledged edits, and those holding the last one
	RefusedStored            int // refused edits found in the database: must be 0
	Problems                 []string
}

func (c *Check) String() string {
	return fmt.Sprintf("opportunities %d/%d found (%d created by the run), quotes %d/%d, lines %d/%d; last edits held: opportunities %d/%d, lines %d/%d; refused edits stored: %d",
		c.FoundOpps, c.AckedOpps, c.RunOpps, c.FoundQuotes, c.AckedQuotes, c.FoundItems, c.AckedItems,
		c.LastEditsOK, c.LastEdits, c.ItemEditsOK, c.ItemEdits, c.RefusedStored)
}

func (c *Check) problem(format string, args ...any) {
	if len(c.Problems) < 50 {
		c.Problems = append(c.Problems, fmt.Sprintf(format, args...))
	}
}

// Verify compares the ledger with the database: every acknowledged creation is
// there, every record holds its last acknowledged edit, no refused edit was stored.
func Verify(gdb *gorm.DB, l *Ledger) (*Check, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := &Check{}

	type oppRow struct {
		ID       uint
		Title    string
		NextStep string
		Version  int
	}
	var ids []uint
	for id := range l.Opps {
		ids = append(ids, id)
	}
	c.AckedOpps = len(ids)
	opps := map[uint]oppRow{}
	for _, part := range chunks(ids) {
		var rows []oppRow
		if err := gdb.Raw("SELECT id, title, next_step, version FROM opportunities WHERE id IN ?", part).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			opps[r.ID] = r
		}
	}
	c.FoundOpps = len(opps)
	for id, edits := range l.Opps {
		row, ok := opps[id]
		if !ok {
			c.problem("acknowledged opportunity %d is missing", id)
			continue
		}
		if len(edits) == 0 {
			continue
		}
		last := edits[0]
		for _, e := range edits[1:] {
			if e.Version > last.Version {
				last = e
			}
		}
		c.LastEdits++
		if row.Title == last.Title && row.NextStep == last.NextStep && row.Version > last.Version {
			c.LastEditsOK++
		} else if slices.ContainsFunc(l.UnansweredOpps[id], func(u OppEdit) bool {
			return u.Title == row.Title && u.NextStep == row.NextStep && u.Version >= last.Version && row.Version > u.Version
		}) {
			c.LastEditsOK++ // an edit committed as the server died, before its answer
		} else {
			c.problem("opportunity %d holds %q/%q version %d, want the last acknowledged edit %q/%q from version %d",
				id, row.Title, row.NextStep, row.Version, last.Title, last.NextStep, last.Version)
		}
	}
	var run int64
	if err := gdb.Raw("SELECT COUNT(*) FROM opportunity_history WHERE field = ? AND new_value LIKE ?", "created", l.Prefix+"-%").
		Scan(&run).Error; err != nil {
		return nil, err
	}
	c.RunOpps = int(run)

	var qids []uint
	for id := range l.Quotes {
		qids = append(qids, id)
	}
	c.AckedQuotes = len(qids)
	for _, part := range chunks(qids) {
		var rows []struct{ ID, OpportunityID uint }
		if err := gdb.Raw("SELECT id, opportunity_id FROM quotes WHERE id IN ?", part).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			if l.Quotes[r.ID] == r.OpportunityID {
				c.FoundQuotes++
			} else {
				c.problem("quote %d belongs to opportunity %d, want %d", r.ID, r.OpportunityID, l.Quotes[r.ID])
			}
		}
	}
	if c.FoundQuotes != c.AckedQuotes {
		c.problem("%d of %d acknowledged quotes found", c.FoundQuotes, c.AckedQuotes)
	}

	var names []string
	for n := range l.Items {
		names = append(names, n)
	}
	c.AckedItems = len(names)
	seen := map[string]int{}
	for _, part := range chunks(names) {
		var rows []struct {
			QuoteID   uint
			Name      string
			UnitPrice int64
		}
		if err := gdb.Raw("SELECT quote_id, name, unit_price FROM quote_items WHERE name IN ?", part).Scan(&rows).Error; err != nil {
			return nil, err
		}
		for _, r := range rows {
			seen[r.Name]++
			it := l.Items[r.Name]
			if r.QuoteID != it.QuoteID {
				c.problem("line %s is on quote %d, want %d", r.Name, r.QuoteID, it.QuoteID)
				continue
			}
			want, _ := cents(it.UnitPrice)
			for _, u := range l.UnansweredItems[r.Name] {
				if sent, _ := cents(u); sent == r.UnitPrice {
					want = sent // an edit committed as the server died, before its answer
				}
			}
			if it.Edits > 0 {
				c.ItemEdits++
				if r.UnitPrice == want {
					c.ItemEditsOK++
				}
			}
			if r.UnitPrice != want {
				c.problem("line %s has unit price %d cents, want %s from its last acknowledged write", r.Name, r.UnitPrice, it.UnitPrice)
			}
		}
	}
	for _, n := range names {
		switch seen[n] {
		case 1:
			c.FoundItems++
		case 0:
			c.problem("acknowledged line %s is missing", n)
		default:
			c.problem("line %s is stored %d times", n, seen[n])
		}
	}

	for _, part := range chunks(l.Refused) {
		var n int64
		if err := gdb.Raw("SELECT (SELECT COUNT(*) FROM opportunities WHERE next_step IN ?) + (SELECT COUNT(*) FROM opportunity_history WHERE new_value IN ?)", part, part).
			Scan(&n).Error; err != nil {
			return nil, err
		}
		c.RefusedStored += int(n)
	}
	if c.RefusedStored > 0 {
		c.problem("%d refused edits were stored", c.RefusedStored)
	}
	return c, nil
}

// cents reads a typed price such as "12.34".
func cents(s string) (int64, error) {
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	f, err := strconv.ParseInt((frac + "00")[:2], 10, 64)
	return w*100 + f, err
}

// chunks splits a list for IN clauses of a portable size.
func chunks[T any](xs []T) [][]T {
	var out [][]T
	for len(xs) > 0 {
		n := min(len(xs), 500)
		out = append(out, xs[:n])
		xs = xs[n:]
	}
	return out
}
