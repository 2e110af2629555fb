package models

import (
	"errors"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
)

// Role is what a user may do; see product.md "People".
type Role string

const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleRep     Role = "rep"
)

// Roles in the order they are offered in forms.
var Roles = []Role{RoleAdmin, RoleManager, RoleRep}

func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Admin"
	case RoleManager:
		return "Manager"
	case RoleRep:
		return "Sales rep"
	}
	return string(r)
}

func (r Role) Valid() bool { return r == RoleAdmin || r == RoleManager || r == RoleRep }

type User struct {
	ID           uint
	Email        string
	Name         string
	Role         Role
	PasswordHash string
	// DemoPassword is true while a demo user still has the published demo password,
	// so the sign-in page shows it only as long as it works.
	DemoPassword bool
	Active       bool
	// SessionVersion is stored in the session cookie; bumping it ends every session
	// of the user (deactivation, password reset).
	SessionVersion int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// SeesAllRecords is true for roles that work on everyone's sales records.
func (u *User) SeesAllRecords() bool { return u.Role == RoleAdmin || u.Role == RoleManager }

// CanEditOwned says whether u may change a record owned by ownerID:
// reps their own, managers and admins all.
func (u *User) CanEditOwned(ownerID uint) bool { return u.SeesAllRecords() || u.ID == ownerID }

// NormalizeEmail is the one form in which e-mail addresses are stored and compared.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// HashPassword hashes with bcrypt at its default cost.
func HashPassword(pw string) (string, error) {
	if len(pw) > 72 {
		return "", errors.New("password is longer than 72 bytes")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

func (u *User) PasswordMatches(pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)) == nil
}

// SetPassword changes the password, ends the user's other sessions and
// drops the demo-password flag.
func SetPassword(db *gorm.DB, u *User, pw string) error {
	h, err := HashPassword(pw)
	if err != nil {
		return err
	}
	u.PasswordHash = h
	u.DemoPassword = false
	u.SessionVersion++
	return db.Model(u).Select("PasswordHash", "DemoPassword", "SessionVersion", "UpdatedAt").Updates(u).Error
}

// ActiveUsers lists users who can sign in, by name, for owner pickers.
func ActiveUsers(db *gorm.DB) ([]User, error) {
	return OwnerChoices(db, 0)
}

// OwnerChoices lists the active users and, when keep is set, also that user
// even if deactivated: the owner a record already has stays on offer, so saving
// the record does not silently change its owner.
func OwnerChoices(db *gorm.DB, keep uint) ([]User, error) {
	rows, err := queryRows(db, "SELECT "+userColumns+" FROM users WHERE users.active = ? OR users.id = ? ORDER BY users.name", true, keep)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		var u User
		if err := rows.Scan(u.scanDest()...); err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, rows.Close()
}

// userColumns are the columns of User, in the order of scanDest: the pages
// read users on every request, without GORM's reflection.
const userColumns = "users.id, users.email, users.name, users.role, users.password_hash, users.demo_password, " +
	"users.active, users.session_version, users.created_at, users.updated_at"

func (u *User) scanDest() []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.DemoPassword, &u.Active, &u.SessionVersion,
		&u.CreatedAt, &u.UpdatedAt}
}

// CountActiveAdmins guards against locking everyone out of the admin pages.
func CountActiveAdmins(db *gorm.DB) (int64, error) {
	var n int64
	err := db.Model(&User{}).Where("role = ? AND active = ?", RoleAdmin, true).Count(&n).Error
	return n, err
}

// ErrLastAdmin refuses a change that would leave no active admin.
var ErrLastAdmin = errors.New("this is the last active admin: make another user an admin first")

// UpdateUser saves role and active state, refusing to remove the last active admin
// and ending the user's sessions when they are deactivated.
func UpdateUser(db *gorm.DB, u *User, name string, role Role, active bool) error {
	return db.Transaction(func(tx *gorm.DB) error {
		if u.Role == RoleAdmin && u.Active && (role != RoleAdmin || !active) {
			n, err := CountActiveAdmins(tx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastAdmin
			}
		}
		if u.Active && !active {
			u.SessionVersion++
		}
		u.Name, u.Role, u.Active = name, role, active
		return tx.Model(u).Select("Name", "Role", "Active", "SessionVersion", "UpdatedAt").Updates(u).Error
	})
}

// LoginFailure is one wrong password for an account, kept to throttle guessing.
// It lives in the database so that several app instances share the count.
type LoginFailure struct {
	ID        uint
	Email     string
	IP        string
	CreatedAt time.Time
}

const (
	LoginMaxFailures = 5
	LoginWindow      = 15 * time.Minute
)

// LoginLockedUntil reports when an account may try again, or the zero time
// when it is not locked: 5 failures within 15 minutes lock it until the oldest
// of them is 15 minutes old.
func LoginLockedUntil(db *gorm.DB, email string, now time.Time) (time.Time, error) {
	var times []time.Time
	err := db.Model(&LoginFailure{}).Where("email = ? AND created_at > ?", email, now.Add(-LoginWindow)).
		Order("created_at DESC").Limit(LoginMaxFailures).Pluck("created_at", &times).Error
	if err != nil || len(times) < LoginMaxFailures {
		return time.Time{}, err
	}
	return times[len(times)-1].Add(LoginWindow), nil
}

func RecordLoginFailure(db *gorm.DB, email, ip string, now time.Time) error {
	return db.Create(&LoginFailure{Email: email, IP: ip, CreatedAt: now}).Error
}

// ClearLoginFailures forgets failures after a successful sign-in or a reset.
func ClearLoginFailures(db *gorm.DB, email string) error {
	return db.Where("email = ?", email).Delete(&LoginFailure{}).Error
}
