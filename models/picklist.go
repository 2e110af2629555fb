package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// PicklistKind names one of the admin-managed lists of values.
type PicklistKind string

const (
	LeadSources PicklistKind = "lead_source"
	Competitors PicklistKind = "competitor"
	WinReasons  PicklistKind = "win_reason"
	LossReasons PicklistKind = "loss_reason"
	Categories  PicklistKind = "category"
)

// PicklistDef describes a picklist on the admin pages.
type PicklistDef struct {
	Kind      PicklistKind
	Name      string // plural, for headings
	Singular  string
	HasColour bool
	// Column is the opportunities column that refers to values of this list.
	Column string
}

var PicklistDefs = []PicklistDef{
	{LeadSources, "Lead sources", "lead source", false, "lead_source_id"},
	{Competitors, "Competitors", "competitor", false, "competitor_id"},
	{WinReasons, "Win reasons", "win reason", false, "win_reason_id"},
	{LossReasons, "Loss reasons", "loss reason", false, "loss_reason_id"},
	{Categories, "Opportunity categories", "category", true, "category_id"},
}

func PicklistDefFor(kind string) (PicklistDef, bool) {
	for _, d := range PicklistDefs {
		if string(d.Kind) == kind {
			return d, true
		}
	}
	return PicklistDef{}, false
}

// PicklistValue is one value of a picklist. An inactive value stays on the
// records that have it and is no longer offered.
type PicklistValue struct {
	ID          uint
	Kind        PicklistKind
	Name        string
	Description string
	Colour      string
	Position    int
	Active      bool
}

func (PicklistValue) TableName() string { return "picklist_values" }

// Picklist returns the values of a kind in order; with keep set, inactive values
// are left out except the one with that id (the value a record already has).
func Picklist(db *gorm.DB, kind PicklistKind, all bool, keep *uint) ([]PicklistValue, error) {
	q := db.Where("kind = ?", kind)
	if !all {
		if keep != nil {
			q = q.Where("active = ? OR id = ?", true, *keep)
		} else {
			q = q.Where("active = ?", true)
		}
	}
	var vs []PicklistValue
	err := q.Order("position, name").Find(&vs).Error
	return vs, err
}

// ErrNotOffered is returned for a picklist id that is unknown, of another list,
// or inactive (and not already on the record).
var ErrNotOffered = errors.New("choose a value from the list")

// CheckPicklist verifies that id may be stored as a value of kind; current is
// the value the record already has, which stays allowed even if inactive.
func CheckPicklist(db *gorm.DB, kind PicklistKind, id uint, current *uint) error {
	var v PicklistValue
	err := db.Where("kind = ?", kind).First(&v, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return ErrNotOffered
	}
	if err != nil {
		return err
	}
	if !v.Active && (current == nil || *current != id) {
		return ErrNotOffered
	}
	return nil
}

// PicklistUses counts the opportunities that refer to a value.
func PicklistUses(db *gorm.DB, v *PicklistValue) (int64, error) {
	def, ok := PicklistDefFor(string(v.Kind))
	if !ok {
		return 0, fmt.Errorf("unknown picklist %q", v.Kind)
	}
	var n int64
	err := db.Model(&Opportunity{}).Where(def.Column+" = ?", v.ID).Count(&n).Error
	return n, err
}

// ErrInUse refuses to delete a value that records still refer to.
type ErrInUse struct {
	Name string
	Uses int64
}

func (e *ErrInUse) Error() string {
	return fmt.Sprintf("%s is used by %d opportunit%s: deactivate it instead, so it stays on them and is no longer offered",
		e.Name, e.Uses, map[bool]string{true: "y", false: "ies"}[e.Uses == 1])
}

// DeletePicklistValue deletes an unused value.
func DeletePicklistValue(db *gorm.DB, v *PicklistValue) error {
	return db.Transaction(func(tx *gorm.DB) error {
		n, err := PicklistUses(tx, v)
		if err != nil {
			return err
		}
		if n > 0 {
			return &ErrInUse{Name: v.Name, Uses: n}
		}
		return tx.Delete(v).Error
	})
}

// NextPosition is the position after the last value of a kind.
func NextPosition(db *gorm.DB, table string, where string, args ...any) (int, error) {
	var max int
	err := db.Table(table).Where(where, args...).Select("COALESCE(MAX(position), 0)").Scan(&max).Error
	return max + 1, err
}

// MovePosition swaps a row with its neighbour above (up) or below in the order
// given by position; rows of the same list are those matching where.
func MovePosition(db *gorm.DB, table string, id uint, up bool, where string, args ...any) error {
	return db.Transaction(func(tx *gorm.DB) error {
		type row struct {
			ID       uint
			Position int
		}
		var rows []row
		if err := tx.Table(table).Where(where, args...).Order("position, id").Select("id, position").Scan(&rows).Error; err != nil {
			return err
		}
		i := -1
		for k, r := range rows {
			if r.ID == id {
				i = k
			}
		}
		if i < 0 {
			return gorm.ErrRecordNotFound
		}
		j := i + 1
		if up {
			j = i - 1
		}
		if j < 0 || j >= len(rows) {
			return nil
		}
		rows[i], rows[j] = rows[j], rows[i]
		// Renumber the whole list so that equal positions cannot make the move a no-op.
		for k, r := range rows {
			if r.Position != k+1 || k == i || k == j {
				if err := tx.Table(table).Where("id = ?", r.ID).Update("position", k+1).Error; err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// SaveStage creates or updates a stage. At most one stage is the won stage and
// one the lost stage: marking a stage so takes the mark off the other.
func SaveStage(db *gorm.DB, s *Stage) error {
	if s.IsWon && s.IsLost {
		return errors.New("a stage cannot be both the won and the lost stage")
	}
	return db.Transaction(func(tx *gorm.DB) error {
		if s.ID == 0 {
			pos, err := NextPosition(tx, "opportunity_stages", "1 = 1")
			if err != nil {
				return err
			}
			s.Position = pos
			if err := tx.Create(s).Error; err != nil {
				return err
			}
		} else if err := tx.Model(s).Select("Name", "DefaultProbability", "IsWon", "IsLost", "Active").Updates(s).Error; err != nil {
			return err
		}
		if s.IsWon {
			if err := tx.Model(&Stage{}).Where("id <> ?", s.ID).Update("is_won", false).Error; err != nil {
				return err
			}
		}
		if s.IsLost {
			if err := tx.Model(&Stage{}).Where("id <> ?", s.ID).Update("is_lost", false).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// StageUses counts the opportunities in a stage and the history that names it.
func StageUses(db *gorm.DB, id uint) (int64, error) {
	var n int64
	err := db.Model(&Opportunity{}).Where("stage_id = ?", id).Count(&n).Error
	return n, err
}

// DeleteStage deletes a stage no opportunity is in.
func DeleteStage(db *gorm.DB, s *Stage) error {
	return db.Transaction(func(tx *gorm.DB) error {
		n, err := StageUses(tx, s.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return &ErrInUse{Name: s.Name, Uses: n}
		}
		return tx.Delete(s).Error
	})
}
