package models

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// PickSelectMax is the most rows a picker offers as a select. A table with
// more is picked by typing the name: the server resolves it, and with
// JavaScript the browser suggests names as they are typed.
const PickSelectMax = 200

// PickMatches is the most rows a picker suggests or lists as choices when
// what was typed matches several.
const PickMatches = 10

// Pick is one row a picker offers: its id, its name and what tells apart rows
// of the same name (an organization's city, a campaign's start date).
type Pick struct {
	ID     uint
	Name   string
	Detail string
}

// Label is how a picker shows the row: "Name (Detail)".
func (p Pick) Label() string {
	if p.Detail == "" {
		return p.Name
	}
	return p.Name + " (" + p.Detail + ")"
}

// How a typed name is matched.
type PickMatch int

const (
	MatchExact    PickMatch = iota // the whole name, ignoring case
	MatchPrefix                    // the start of the name, ignoring case
	MatchContains                  // anywhere in the name, ignoring case
)

// PickSource is a table a picker chooses one row of: which rows it offers and
// how it finds them by name: OrgPick, CampaignPick and ProductPick.
type PickSource interface {
	// Noun is what messages call one row: "organization", "vendor", "campaign".
	Noun() string
	// Small is true when at most PickSelectMax rows are offered.
	Small(db *gorm.DB) (bool, error)
	// All lists every row offered, by name, for a select.
	All(db *gorm.DB) ([]Pick, error)
	// Get is the row id if it is offered (gorm.ErrRecordNotFound if not).
	Get(db *gorm.DB, id uint) (*Pick, error)
	// Find lists up to limit rows whose name matches key (NameKey of what
	// was typed) as m says, in name order.
	Find(db *gorm.DB, key string, m PickMatch, limit int) ([]Pick, error)
}

// NameKey is what a typed name is compared with: trimmed and lowered the Go
// way, as Organization.NameKey is stored.
func NameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Suggest lists up to limit rows of src whose name starts with text.
func Suggest(db *gorm.DB, src PickSource, text string, limit int) ([]Pick, error) {
	key := NameKey(text)
	if key == "" || !utf8.ValidString(key) {
		return nil, nil
	}
	return src.Find(db, key, MatchPrefix, limit)
}

// Resolve finds the rows of src a user means by text: the ones named exactly
// so (ignoring case), else the ones whose name starts with it, else the ones
// whose name contains it. One is the answer; several (at most PickMatches) are
// for the user to choose from; none is an empty slice.
func Resolve(db *gorm.DB, src PickSource, text string) ([]Pick, error) {
	key := NameKey(text)
	if key == "" || !utf8.ValidString(key) {
		return nil, nil
	}
	for _, m := range []PickMatch{MatchExact, MatchPrefix, MatchContains} {
		rows, err := src.Find(db, key, m, PickMatches)
		if err != nil || len(rows) > 0 {
			return rows, err
		}
	}
	return nil, nil
}

// smallScope is whether q has at most PickSelectMax rows, counting no further.
func smallScope(db *gorm.DB, q *gorm.DB) (bool, error) {
	var n int64
	err := db.Table("(?) AS picks", q.Select("id").Limit(PickSelectMax+1)).Count(&n).Error
	return n <= PickSelectMax, err
}

func getPick(q *gorm.DB, id uint) (*Pick, error) {
	var rows []Pick
	err := q.Where("id = ?", id).Limit(1).Find(&rows).Error
	return firstPick(rows, err)
}

// firstPick is the first of rows, gorm.ErrRecordNotFound when there is none.
func firstPick(rows []Pick, err error) (*Pick, error) {
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, gorm.ErrRecordNotFound
	}
	return &rows[0], nil
}

// OrgPick is which organizations a picker offers: every one but the Dead, or
// only the vendors; and Keep, the record's current organization, offered
// whatever its type (the product form's vendor that is no longer one).
type OrgPick struct {
	VendorsOnly bool
	Keep        uint
}

func (p OrgPick) Noun() string {
	if p.VendorsOnly {
		return "vendor"
	}
	return "organization"
}

func (p OrgPick) scope(db *gorm.DB) *gorm.DB {
	q := db.Model(&Organization{}).Select("id", "name", "city AS detail")
	if p.VendorsOnly {
		return q.Where("(type = ? OR id = ?)", VendorType, p.Keep)
	}
	return q.Where("(type <> ? OR id = ?)", "dead", p.Keep)
}

func (p OrgPick) Small(db *gorm.DB) (bool, error) { return smallScope(db, p.scope(db)) }

func (p OrgPick) All(db *gorm.DB) ([]Pick, error) {
	var rows []Pick
	err := p.scope(db).Order("name, id").Find(&rows).Error
	return rows, err
}

func (p OrgPick) Get(db *gorm.DB, id uint) (*Pick, error) { return getPick(p.scope(db), id) }

// Find reads organizations by their name_key. A prefix is a range of the
// name_key index on both databases: on SQLite name_key >= key AND name_key <
// key+U+10FFFF (its LIKE ignores ASCII case only and takes no index here), on
// PostgreSQL LIKE 'key%' along the text_pattern_ops index of migration 27
// (EXPLAIN: Bitmap Index Scan on organizations_name_key_pattern, Index Cond
// name_key ~>=~ key AND name_key ~<~ key+1).
// Contains reads every name: only on a submitted form, never per key typed.
func (p OrgPick) Find(db *gorm.DB, key string, m PickMatch, limit int) ([]Pick, error) {
	q := p.scope(db)
	switch {
	case m == MatchExact:
		q = q.Where("name_key = ?", key).Order("id")
	case m == MatchPrefix && db.Dialector.Name() == "sqlite":
		q = q.Where("name_key >= ? AND name_key < ?", key, key+string(utf8.MaxRune)).Order("name_key, id")
	case m == MatchPrefix:
		// In byte order, as SQLite's: ordered by the collation the planner
		// walks the plain name_key index in order, filtering every row
		// before the first match; by bytes it reads only the matches.
		q = q.Where(`name_key LIKE ? ESCAPE '\'`, likeEscape(key)+"%").Order(`name_key COLLATE "C", id`)
	default:
		q = q.Where(`name_key LIKE ? ESCAPE '\'`, likePattern(key)).Order("name_key, id")
	}
	var rows []Pick
	err := q.Limit(limit).Find(&rows).Error
	return rows, err
}

// CampaignPick offers every campaign. Campaigns number hundreds to a few
// thousand, so a name is matched by reading them all (LOWER(name) LIKE):
// no index is needed. SQLite's LOWER lowers ASCII letters only.
type CampaignPick struct{}

func (CampaignPick) Noun() string { return "campaign" }

func (CampaignPick) scope(db *gorm.DB) *gorm.DB {
	return db.Model(&Campaign{}).Select("id", "name", "start_date")
}

func (c CampaignPick) Small(db *gorm.DB) (bool, error) { return smallScope(db, c.scope(db)) }

// campaignPick is a campaign as a picker shows it: the start date tells
// apart campaigns of the same name.
type campaignPick struct {
	ID        uint
	Name      string
	StartDate *time.Time
}

func campaignPicks(q *gorm.DB) ([]Pick, error) {
	return picksOf(q, func(r campaignPick) Pick {
		p := Pick{ID: r.ID, Name: r.Name}
		if r.StartDate != nil {
			p.Detail = r.StartDate.Format("2006-01-02")
		}
		return p
	})
}

// picksOf reads q's rows as Ts and shows each as pick makes it.
func picksOf[T any](q *gorm.DB, pick func(T) Pick) ([]Pick, error) {
	var rows []T
	if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Pick, len(rows))
	for i, r := range rows {
		out[i] = pick(r)
	}
	return out, nil
}

// All lists the campaigns newest first, as the campaign selects always have.
func (c CampaignPick) All(db *gorm.DB) ([]Pick, error) {
	return campaignPicks(c.scope(db).Order("start_date DESC, id DESC"))
}

func (c CampaignPick) Get(db *gorm.DB, id uint) (*Pick, error) {
	return firstPick(campaignPicks(c.scope(db).Where("id = ?", id).Limit(1)))
}

func (c CampaignPick) Find(db *gorm.DB, key string, m PickMatch, limit int) ([]Pick, error) {
	q := c.scope(db)
	switch m {
	case MatchExact:
		q = q.Where("LOWER(name) = ?", key)
	case MatchPrefix:
		q = q.Where(`LOWER(name) LIKE ? ESCAPE '\'`, likeEscape(key)+"%")
	default:
		q = q.Where(`LOWER(name) LIKE ? ESCAPE '\'`, likePattern(key))
	}
	return campaignPicks(q.Order("LOWER(name), start_date DESC, id").Limit(limit))
}

// ProductPick offers the active products, by name or SKU: the quote editor's
// catalog line. A typed text is matched against both (LOWER(name) and
// LOWER(sku), indexed by migration 34), so a SKU typed whole picks its
// product. SQLite's LOWER lowers ASCII letters only, as for campaigns.
type ProductPick struct{}

func (ProductPick) Noun() string { return "product" }

func (ProductPick) scope(db *gorm.DB) *gorm.DB {
	return db.Model(&Product{}).Select("id", "name", "sku", "unit_price").Where("active = ?", true)
}

func (p ProductPick) Small(db *gorm.DB) (bool, error) { return smallScope(db, p.scope(db)) }

// productPick is a product as a picker shows it: its SKU and unit price tell
// apart products of the same name.
type productPick struct {
	ID        uint
	Name      string
	SKU       string
	UnitPrice Money
}

func productPicks(q *gorm.DB) ([]Pick, error) {
	return picksOf(q, func(r productPick) Pick {
		return Pick{ID: r.ID, Name: r.Name, Detail: r.SKU + ", " + r.UnitPrice.Display()}
	})
}

func (p ProductPick) All(db *gorm.DB) ([]Pick, error) {
	return productPicks(p.scope(db).Order("name, id"))
}

func (p ProductPick) Get(db *gorm.DB, id uint) (*Pick, error) {
	return firstPick(productPicks(p.scope(db).Where("id = ?", id).Limit(1)))
}

// Find matches the name or the SKU, each along its expression index
// (migrations 34 and 35): on PostgreSQL in the C collation, so that a prefix
// is a range of the index and its walk in order stops at limit. A prefix is
// read as two such walks: the names that start with key in name order, then
// the SKUs that do in SKU order (a single letter does not sort thousands of
// matches). Contains reads every product: only on a submitted form, never
// per key typed.
func (p ProductPick) Find(db *gorm.DB, key string, m PickMatch, limit int) ([]Pick, error) {
	name, sku := productKeys(db)
	q := p.scope(db)
	switch m {
	case MatchExact:
		q = q.Where(name+" = ? OR "+sku+" = ?", key, key)
	case MatchPrefix:
		end := key + string(utf8.MaxRune)
		out, err := productPicks(p.scope(db).Where(name+" >= ? AND "+name+" < ?", key, end).Order(name + ", id").Limit(limit))
		if err != nil || len(out) >= limit {
			return out, err
		}
		bySKU, err := productPicks(p.scope(db).Where(sku+" >= ? AND "+sku+" < ?", key, end).Order(sku + ", id").Limit(limit))
		for _, r := range bySKU {
			if len(out) < limit && !slices.ContainsFunc(out, func(o Pick) bool { return o.ID == r.ID }) {
				out = append(out, r)
			}
		}
		return out, err
	default:
		pat := likePattern(key)
		q = q.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(sku) LIKE ? ESCAPE '\')`, pat, pat)
	}
	return productPicks(q.Order(name + ", id").Limit(limit))
}

// productKeys are the expressions of the products' name and SKU indexes.
func productKeys(db *gorm.DB) (name, sku string) {
	return lowerKey(db, "name"), lowerKey(db, "sku")
}

// lowerKey is the expression of an index of col lowered (migrations 34, 35
// and 38): on PostgreSQL compared by bytes, as SQLite compares.
func lowerKey(db *gorm.DB, col string) string {
	if db.Dialector.Name() == "sqlite" {
		return "LOWER(" + col + ")"
	}
	return `(LOWER(` + col + `) COLLATE "C")`
}

// QuotePick offers the quotes but Except (the quote being edited): the quote
// editor's "import the items of another quote". A quote is found by its
// number, typed "1234" or "#1234" (the unique number index), or by the start
// of its name (LOWER(name), indexed with the number by migration 38, so the
// quotes of one name come newest first). Many quotes share a name ("Wi-Fi
// upgrade — proposal"), so its number heads its name as the picker shows it,
// and the organization and effective date are its detail. A name is not
// matched anywhere inside: that reads every quote (0.3 s at 657,000), for
// a typo on a submitted form.
type QuotePick struct {
	Except uint
}

func (QuotePick) Noun() string { return "quote" }

func (p QuotePick) scope(db *gorm.DB) *gorm.DB {
	return db.Table("quotes").
		Select("quotes.id, quotes.number, quotes.name, organizations.name AS organization, quotes.effective_date").
		Joins("JOIN opportunities ON opportunities.id = quotes.opportunity_id").
		Joins("JOIN organizations ON organizations.id = opportunities.organization_id").
		Where("quotes.id <> ?", p.Except)
}

func (p QuotePick) Small(db *gorm.DB) (bool, error) {
	return smallScope(db, db.Model(&Quote{}).Where("id <> ?", p.Except))
}

// quotePick is a quote as a picker shows it: "#1234 Name (Organization,
// effective date)".
type quotePick struct {
	ID            uint
	Number        int
	Name          string
	Organization  string
	EffectiveDate time.Time
}

func quotePicks(q *gorm.DB) ([]Pick, error) {
	return picksOf(q, func(r quotePick) Pick {
		return Pick{ID: r.ID, Name: "#" + strconv.Itoa(r.Number) + " " + r.Name,
			Detail: r.Organization + ", " + r.EffectiveDate.Format("2006-01-02")}
	})
}

// All lists the quotes newest first, as the import menu always has.
func (p QuotePick) All(db *gorm.DB) ([]Pick, error) {
	return quotePicks(p.scope(db).Order("quotes.number DESC"))
}

func (p QuotePick) Get(db *gorm.DB, id uint) (*Pick, error) {
	return firstPick(quotePicks(p.scope(db).Where("quotes.id = ?", id).Limit(1)))
}

// Find reads the quote whose number key is, then the quotes whose name is or
// starts with key (as m says) along the name index, newest first within a
// name. A key "#1234 name…" is how the picker shows quote #1234: only that
// quote, if what follows its number fits its name as m says.
func (p QuotePick) Find(db *gorm.DB, key string, m PickMatch, limit int) ([]Pick, error) {
	var out []Pick
	if n, named, ok := quoteNumber(key); ok {
		rows, err := quotePicks(p.scope(db).Where("quotes.number = ?", n).Limit(1))
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			name := NameKey(r.Name)
			if !named || name == key || m != MatchExact && strings.HasPrefix(name, key) || m == MatchContains && strings.Contains(name, key) {
				out = append(out, r)
			}
		}
		if named {
			return out, nil
		}
	}
	if m == MatchContains || len(out) >= limit {
		return out, nil
	}
	name := lowerKey(db, "quotes.name")
	q := p.scope(db)
	if m == MatchExact {
		// By number alone: ordered by the name too, SQLite sorted every
		// quote of the name (17,000 of one at 1M: 95 ms) instead of
		// walking the index.
		q = q.Where(name+" = ?", key).Order("quotes.number DESC")
	} else {
		q = q.Where(name+" >= ? AND "+name+" < ?", key, key+string(utf8.MaxRune)).Order(name + ", quotes.number DESC")
	}
	byName, err := quotePicks(q.Limit(limit))
	for _, r := range byName {
		if len(out) < limit && !slices.ContainsFunc(out, func(o Pick) bool { return o.ID == r.ID }) {
			out = append(out, r)
		}
	}
	return out, err
}

// quoteNumber reads a typed quote number: "1234" or "#1234"; or "#1234 …",
// named, as the picker shows a quote.
func quoteNumber(key string) (n int, named, ok bool) {
	rest, hash := strings.CutPrefix(key, "#")
	digits, name, spaced := strings.Cut(rest, " ")
	if spaced && !hash {
		return 0, false, false
	}
	v, err := strconv.ParseInt(digits, 10, 32)
	if err != nil || v <= 0 || digits[0] == '+' {
		return 0, false, false
	}
	return int(v), spaced && strings.TrimSpace(name) != "", true
}
