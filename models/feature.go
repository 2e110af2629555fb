package models

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Feature keys. Everything of a feature that is off is hidden; see product.md "Activations".
const (
	FeatureSales        = "sales"
	FeatureMarketing    = "marketing"
	FeatureProcurement  = "procurement"
	FeatureQuoteManager = "quote_manager"
)

// FeatureDef describes a feature on the Activations page.
type FeatureDef struct {
	Key         string
	Name        string
	Description string
	Needs       string // key of the feature it depends on, or ""
}

// FeatureDefs lists every feature in the order of the Activations page.
var FeatureDefs = []FeatureDef{
	{FeatureSales, "Sales", "Opportunities, quotes, and the funnel and forecast reports.", ""},
	{FeatureMarketing, "Marketing campaigns & leads", "Campaigns, leads, lead qualification and lead-to-opportunity conversion.", FeatureSales},
	{FeatureProcurement, "Procurement (Inventory)", "Sales orders created when a deal is won, fulfilment and purchase orders.", FeatureSales},
	{FeatureQuoteManager, "Quote Manager integration", "Quotes from an external quoting tool replace the built-in quotes everywhere in the UI.", FeatureSales},
}

func FeatureDefFor(key string) (FeatureDef, bool) {
	for _, d := range FeatureDefs {
		if d.Key == key {
			return d, true
		}
	}
	return FeatureDef{}, false
}

// Feature is the stored state of one feature.
type Feature struct {
	Key         string `gorm:"primaryKey"`
	Active      bool
	ChangedByID *uint
	ChangedBy   *User
	ChangedAt   *time.Time
	// OffWith is the key of the feature whose deactivation switched this one
	// off (nil when it is on, or was switched off by itself): activating
	// that feature again turns this one back on.
	OffWith *string
}

// FeatureChange records every activation and deactivation.
type FeatureChange struct {
	ID         uint
	FeatureKey string
	Active     bool
	UserID     *uint
	User       *User
	CreatedAt  time.Time
	// WithFeature is the feature whose change carried this one along (a
	// deactivation switching off what needs it, an activation turning it
	// back on), or nil for a change made by itself.
	WithFeature *string
}

// RecentFeatureChanges returns the last n changes, newest first, with who made them.
func RecentFeatureChanges(db *gorm.DB, n int) ([]FeatureChange, error) {
	var out []FeatureChange
	err := db.Preload("User").Order("created_at DESC, id DESC").Limit(n).Find(&out).Error
	return out, err
}

// Features is the set of active feature keys, loaded once per request.
type Features map[string]bool

func (f Features) On(key string) bool { return f[key] }

// LoadFeatures reads the active features. It is one small query per request, on
// purpose: several app instances must agree at once, so nothing is cached in
// memory. A signed-in request reads them with its session
// (FindSessionUserFeatures) instead.
func LoadFeatures(db *gorm.DB) (Features, error) {
	rows, err := queryRows(db, "SELECT "+featureColumns, featureArgs()...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	flags := make([]sql.NullBool, len(FeatureDefs))
	if rows.Next() {
		dest := make([]any, len(flags))
		for i := range flags {
			dest[i] = &flags[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
	}
	return featuresOf(flags), rows.Close()
}

// featureColumns selects whether each feature of FeatureDefs is active, one
// column each (NULL when the feature has no row), with featureArgs as its arguments.
var featureColumns = func() string {
	cols := make([]string, len(FeatureDefs))
	for i := range FeatureDefs {
		cols[i] = "(SELECT active FROM features WHERE key = ?)"
	}
	return strings.Join(cols, ", ")
}()

func featureArgs() []any {
	args := make([]any, len(FeatureDefs), len(FeatureDefs)+1)
	for i, d := range FeatureDefs {
		args[i] = d.Key
	}
	return args
}

// featuresOf turns the columns of featureColumns into the set of active features.
func featuresOf(flags []sql.NullBool) Features {
	f := make(Features, len(flags))
	for i, fl := range flags {
		if fl.Valid && fl.Bool {
			f[FeatureDefs[i].Key] = true
		}
	}
	return f
}

// ListFeatures returns the stored state of every feature, with who changed it last.
func ListFeatures(db *gorm.DB) (map[string]Feature, error) {
	var rows []Feature
	if err := db.Preload("ChangedBy").Find(&rows).Error; err != nil {
		return nil, err
	}
	m := make(map[string]Feature, len(rows))
	for _, r := range rows {
		m[r.Key] = r
	}
	return m, nil
}

// ErrFeatureNeeds is returned when a feature is activated before the one it needs.
var ErrFeatureNeeds = errors.New("activate the feature it needs first")

// Dependents lists the features that need key, directly or not.
func Dependents(key string) []FeatureDef {
	var out []FeatureDef
	for _, d := range FeatureDefs {
		if d.Needs == key {
			out = append(out, d)
			out = append(out, Dependents(d.Key)...)
		}
	}
	return out
}

// SetFeature activates or deactivates a feature and records the change.
// Deactivating also deactivates every feature that needs it and remembers
// that they went off with it (Feature.OffWith); activating it again turns
// exactly those back on, not the ones an admin had switched off by themselves.
// Nothing is deleted. It returns the keys whose state changed, key first.
func SetFeature(db *gorm.DB, key string, active bool, by *User, now time.Time) ([]string, error) {
	def, ok := FeatureDefFor(key)
	if !ok {
		return nil, fmt.Errorf("unknown feature %q: %w", key, gorm.ErrRecordNotFound)
	}
	var changed []string
	err := db.Transaction(func(tx *gorm.DB) error {
		current, err := LoadFeatures(tx)
		if err != nil {
			return err
		}
		if active && def.Needs != "" && !current.On(def.Needs) {
			need, _ := FeatureDefFor(def.Needs)
			return fmt.Errorf("%w: %s needs %s", ErrFeatureNeeds, def.Name, need.Name)
		}
		keys := []string{key}
		if active {
			back, err := OffWith(tx, key)
			if err != nil {
				return err
			}
			keys = append(keys, back...)
		} else {
			for _, d := range Dependents(key) {
				keys = append(keys, d.Key)
			}
		}
		var byID *uint
		if by != nil {
			byID = &by.ID
		}
		for _, k := range keys {
			if current.On(k) == active {
				continue
			}
			var with *string
			if k != key {
				with = &key
			}
			var offWith *string
			if !active {
				offWith = with
			}
			if err := tx.Model(&Feature{Key: k}).Select("Active", "ChangedByID", "ChangedAt", "OffWith").
				Updates(&Feature{Active: active, ChangedByID: byID, ChangedAt: &now, OffWith: offWith}).Error; err != nil {
				return err
			}
			if err := tx.Create(&FeatureChange{FeatureKey: k, Active: active, UserID: byID, CreatedAt: now, WithFeature: with}).Error; err != nil {
				return err
			}
			changed = append(changed, k)
		}
		return nil
	})
	return changed, err
}

// OffWith lists the features that deactivating key switched off with it and
// that are still off: the ones activating key turns back on, in the order of
// the Activations page (a feature before those that need it).
func OffWith(db *gorm.DB, key string) ([]string, error) {
	var rows []Feature
	if err := db.Where("off_with = ? AND active = ?", key, false).Find(&rows).Error; err != nil {
		return nil, err
	}
	off := make(map[string]bool, len(rows))
	for _, r := range rows {
		off[r.Key] = true
	}
	var out []string
	for _, d := range Dependents(key) {
		if off[d.Key] {
			out = append(out, d.Key)
		}
	}
	return out, nil
}
