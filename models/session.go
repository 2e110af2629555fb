package models

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"gorm.io/gorm"
)

// Session is a signed-in browser. The cookie holds a random token; the table
// holds its hash, so signing out (or an admin deactivating the user) ends the
// session on the server, whatever copy of the cookie exists, and a leaked
// database does not hand out live sessions.
type Session struct {
	ID         string // sha256 of the token
	UserID     uint
	CreatedAt  time.Time
	LastSeenAt time.Time
}

func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func StartSession(db *gorm.DB, token string, userID uint, now time.Time) error {
	return db.Create(&Session{ID: sessionID(token), UserID: userID, CreatedAt: now, LastSeenAt: now}).Error
}

// FindSession returns the live session of token, or gorm.ErrRecordNotFound.
func FindSession(db *gorm.DB, token string) (*Session, error) {
	var s Session
	if err := db.Where("id = ?", sessionID(token)).First(&s).Error; err != nil {
		return nil, err
	}
	return &s, nil
}

// FindSessionUser returns the session of token and its user in one query (it
// runs on every request), or gorm.ErrRecordNotFound.
func FindSessionUser(db *gorm.DB, token string) (*Session, *User, error) {
	var row struct {
		User
		SessionCreatedAt time.Time
		SessionSeenAt    time.Time
	}
	id := sessionID(token)
	res := db.Table("sessions").Joins("JOIN users ON users.id = sessions.user_id").Where("sessions.id = ?", id).
		Select("users.*, sessions.created_at AS session_created_at, sessions.last_seen_at AS session_seen_at").Limit(1).Scan(&row)
	if res.Error != nil {
		return nil, nil, res.Error
	}
	if res.RowsAffected == 0 {
		return nil, nil, gorm.ErrRecordNotFound
	}
	u := row.User
	return &Session{ID: id, UserID: u.ID, CreatedAt: row.SessionCreatedAt, LastSeenAt: row.SessionSeenAt}, &u, nil
}

// TouchSession records activity, for idle expiry.
func TouchSession(db *gorm.DB, s *Session, now time.Time) error {
	s.LastSeenAt = now
	return db.Model(s).Update("last_seen_at", now).Error
}

func EndSession(db *gorm.DB, token string) error {
	return db.Where("id = ?", sessionID(token)).Delete(&Session{}).Error
}

// EndUserSessions ends every session of a user, but the one with keepToken.
func EndUserSessions(db *gorm.DB, userID uint, keepToken string) error {
	q := db.Where("user_id = ?", userID)
	if keepToken != "" {
		q = q.Where("id <> ?", sessionID(keepToken))
	}
	return q.Delete(&Session{}).Error
}

// PruneSessions deletes sessions idle since before cutoff.
func PruneSessions(db *gorm.DB, cutoff time.Time) error {
	return db.Where("last_seen_at < ?", cutoff).Delete(&Session{}).Error
}
