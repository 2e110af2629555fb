package models

import (
	"crypto/sha256"
	"database/sql"
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
	sess, u, _, err := FindSessionUserFeatures(db, token)
	return sess, u, err
}

// sessionUserSQL reads a session, its user and the active features: the one
// query every signed-in request makes before its page's own.
var sessionUserSQL = "SELECT " + userColumns + ", sessions.created_at, sessions.last_seen_at, " +
	featureColumns + " FROM sessions JOIN users ON users.id = sessions.user_id WHERE sessions.id = ?"

// FindSessionUserFeatures returns the session of token, its user and the
// active features in one query, or gorm.ErrRecordNotFound when there is no
// such session (then read the features with LoadFeatures).
func FindSessionUserFeatures(db *gorm.DB, token string) (*Session, *User, Features, error) {
	id := sessionID(token)
	rows, err := queryRows(db, sessionUserSQL, append(featureArgs(), id)...)
	if err != nil {
		return nil, nil, nil, err
	}
	defer rows.Close()
	if err := firstRow(rows); err != nil {
		return nil, nil, nil, err
	}
	var u User
	sess := Session{ID: id}
	flags := make([]sql.NullBool, len(FeatureDefs))
	dest := append(u.scanDest(), &sess.CreatedAt, &sess.LastSeenAt)
	for i := range flags {
		dest = append(dest, &flags[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, nil, nil, err
	}
	sess.UserID = u.ID
	return &sess, &u, featuresOf(flags), rows.Close()
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
