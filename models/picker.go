package models

import (
	"strings"
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

// OrgPick is which organizations a picker offers: every one but the Dead, or
// only the vendors; and Keep, the record's current organization, offered
// whatever its type (as OrganizationChoices and VendorChoices do).
type OrgPick struct {
	VendorsOnly bool
	Keep        uint
}

// Noun is what the picker's messages call one row: "organization" or "vendor".
func (p OrgPick) Noun() string {
	if p.VendorsOnly {
		return "vendor"
	}
	return "organization"
}

func (p OrgPick) scope(db *gorm.DB) *gorm.DB {
	q := db.Model(&Organization{}).Select("id", "name", "city")
	if p.VendorsOnly {
		return q.Where("(type = ? OR id = ?)", VendorType, p.Keep)
	}
	return q.Where("(type <> ? OR id = ?)", "dead", p.Keep)
}

// Small is true when the picker offers at most PickSelectMax organizations:
// few enough for a select. It counts no further than one more.
func (p OrgPick) Small(db *gorm.DB) (bool, error) {
	var n int64
	err := db.Table("(?) AS picks", p.scope(db).Select("id").Limit(PickSelectMax+1)).Count(&n).Error
	return n <= PickSelectMax, err
}

// All lists every organization the picker offers, by name: for a small table.
func (p OrgPick) All(db *gorm.DB) ([]Organization, error) {
	var rows []Organization
	err := p.scope(db).Order("name, id").Find(&rows).Error
	return rows, err
}

// Get is the organization id if the picker offers it.
func (p OrgPick) Get(db *gorm.DB, id uint) (*Organization, error) {
	var o Organization
	if err := p.scope(db).Where("id = ?", id).Take(&o).Error; err != nil {
		return nil, err
	}
	return &o, nil
}

// NameKey is what a typed name is compared with: the organizations' name_key.
func NameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Prefix lists up to limit organizations whose name starts with text, ignoring
// case, in the order of their name_key. It reads a range of the name_key index
// on both databases: on SQLite name_key >= key AND name_key < key+U+10FFFF
// (SQLite's LIKE ignores ASCII case only and uses no index here), on
// PostgreSQL LIKE 'key%' along the text_pattern_ops index of migration 27.
func (p OrgPick) Prefix(db *gorm.DB, text string, limit int) ([]Organization, error) {
	key := NameKey(text)
	if key == "" || !utf8.ValidString(key) {
		return nil, nil
	}
	q := p.scope(db)
	if db.Dialector.Name() == "sqlite" {
		q = q.Where("name_key >= ? AND name_key < ?", key, key+string(utf8.MaxRune))
	} else {
		q = q.Where(`name_key LIKE ? ESCAPE '\'`, likeEscape(key)+"%")
	}
	var rows []Organization
	err := q.Order("name_key, id").Limit(limit).Find(&rows).Error
	return rows, err
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Resolve finds the organization a user means by text: the ones named exactly
// so (ignoring case), else the ones whose name starts with it, else the ones
// whose name contains it. One match is the answer; several are returned (at
// most PickMatches) for the user to choose from; none is an empty slice.
func (p OrgPick) Resolve(db *gorm.DB, text string) ([]Organization, error) {
	key := NameKey(text)
	if key == "" || !utf8.ValidString(key) {
		return nil, nil
	}
	var rows []Organization
	if err := p.scope(db).Where("name_key = ?", key).Order("id").Limit(PickMatches).Find(&rows).Error; err != nil || len(rows) > 0 {
		return rows, err
	}
	rows, err := p.Prefix(db, key, PickMatches)
	if err != nil || len(rows) > 0 {
		return rows, err
	}
	// The last resort reads every name: only on a submitted form, never per key.
	err = p.scope(db).Where(`name_key LIKE ? ESCAPE '\'`, "%"+likeEscape(key)+"%").Order("name_key, id").Limit(PickMatches).Find(&rows).Error
	return rows, err
}

// Label is how a picker shows an organization: its name, and its city when it
// has one, which tells apart organizations of the same name.
func (o Organization) Label() string {
	if o.City == "" {
		return o.Name
	}
	return o.Name + " (" + o.City + ")"
}
