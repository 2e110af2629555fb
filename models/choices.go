package models

import (
	"sort"

	"gorm.io/gorm"
)

// ListChoices is what the opportunity list and board offer in their filters:
// the active users by name (owners), the active stages by position and every
// category by position and name, inactive ones included (for filtering the
// records that still have them).
type ListChoices struct {
	Users      []User // ID and Name only
	Stages     []Stage
	Categories []PicklistValue
}

// OpenStages are the stages of c that are neither won nor lost: the board's columns.
func (c ListChoices) OpenStages() []Stage {
	var out []Stage
	for _, s := range c.Stages {
		if !s.IsWon && !s.IsLost {
			out = append(out, s)
		}
	}
	return out
}

// listChoicesSQL reads the three lists in one query; LoadListChoices puts them
// in the order of ActiveUsers, ActiveStages with the closed ones, and
// Picklist(Categories, all). On SQLite, whose order of names is by bytes as
// Go's is, sorting a dozen rows in Go costs less than the database's three
// sorters for them.
const listChoicesSQL = `SELECT 1 AS k, id, name, position, '' AS sort_name, active, is_won, is_lost, default_probability
  FROM opportunity_stages WHERE active = ?
UNION ALL
SELECT 2, id, name, 0, name, active, FALSE, FALSE, 0 FROM users WHERE active = ?
UNION ALL
SELECT 3, id, name, position, name, active, FALSE, FALSE, 0 FROM picklist_values WHERE kind = ?`

// LoadListChoices reads the filter choices of the opportunity list and board
// in one query: they are read on every view of the most visited pages, so
// nothing is cached between requests.
func LoadListChoices(db *gorm.DB) (ListChoices, error) {
	var c ListChoices
	query := listChoicesSQL
	if db.Dialector.Name() != "sqlite" {
		// Names in the database's collation, as the separate reads order them.
		query += " ORDER BY k, position, sort_name, id"
	}
	rows, err := queryRows(db, query, true, true, string(Categories))
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k, pos, prob      int
			id                uint
			name, sortName    string
			active, won, lost bool
		)
		if err := rows.Scan(&k, &id, &name, &pos, &sortName, &active, &won, &lost, &prob); err != nil {
			return c, err
		}
		switch k {
		case 1:
			c.Stages = append(c.Stages, Stage{ID: id, Name: name, Position: pos, DefaultProbability: prob, IsWon: won, IsLost: lost, Active: active})
		case 2:
			c.Users = append(c.Users, User{ID: id, Name: name, Active: active})
		case 3:
			c.Categories = append(c.Categories, PicklistValue{ID: id, Kind: Categories, Name: name, Position: pos, Active: active})
		}
	}
	if err := rows.Err(); err != nil {
		return c, err
	}
	if db.Dialector.Name() != "sqlite" {
		return c, nil
	}
	sort.Slice(c.Stages, func(i, j int) bool {
		a, b := c.Stages[i], c.Stages[j]
		return a.Position < b.Position || a.Position == b.Position && a.ID < b.ID
	})
	sort.Slice(c.Users, func(i, j int) bool {
		a, b := c.Users[i], c.Users[j]
		return a.Name < b.Name || a.Name == b.Name && a.ID < b.ID
	})
	sort.Slice(c.Categories, func(i, j int) bool {
		a, b := c.Categories[i], c.Categories[j]
		if a.Position != b.Position {
			return a.Position < b.Position
		}
		return a.Name < b.Name || a.Name == b.Name && a.ID < b.ID
	})
	return c, nil
}

// Names are the users' and stages' names of c, for ListOpportunitiesNamed.
func (c ListChoices) Names() *Names {
	n := &Names{Users: make(map[uint]string, len(c.Users)), Stages: make(map[uint]string, len(c.Stages))}
	for _, u := range c.Users {
		n.Users[u.ID] = u.Name
	}
	for _, s := range c.Stages {
		n.Stages[s.ID] = s.Name
	}
	return n
}
