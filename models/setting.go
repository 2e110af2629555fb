package models

import (
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Setting is a key/value pair the app keeps for itself, such as the session signing key.
type Setting struct {
	Key   string `gorm:"primaryKey"`
	Value string
}

// SettingOrCreate returns the stored value for key, storing make() first if there is none.
// Two instances starting at once agree on one value: the insert does nothing on conflict
// and both read back what won.
func SettingOrCreate(db *gorm.DB, key string, make func() (string, error)) (string, error) {
	var s Setting
	err := db.First(&s, "key = ?", key).Error
	if err == nil {
		return s.Value, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", err
	}
	v, err := make()
	if err != nil {
		return "", err
	}
	if err := db.Clauses(clause.OnConflict{DoNothing: true}).Create(&Setting{Key: key, Value: v}).Error; err != nil {
		return "", err
	}
	err = db.First(&s, "key = ?", key).Error
	return s.Value, err
}
