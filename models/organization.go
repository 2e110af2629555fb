package models

import (
	"time"

	"gorm.io/gorm"
)

// OrgType is an organization's relationship to us; see product.md "Organization".
type OrgType string

var OrgTypes = []OrgType{"customer", "prospect", "lead", "vendor", "dead"}

func (t OrgType) Label() string {
	switch t {
	case "customer":
		return "Customer"
	case "prospect":
		return "Prospect"
	case "lead":
		return "Lead"
	case "vendor":
		return "Vendor"
	case "dead":
		return "Dead"
	}
	return string(t)
}

func (t OrgType) Valid() bool {
	for _, v := range OrgTypes {
		if v == t {
			return true
		}
	}
	return false
}

type Organization struct {
	ID         uint
	Name       string
	Type       OrgType
	Address    string
	City       string
	PostalCode string
	Country    string
	Phone      string
	Website    string
	OwnerID    *uint
	Owner      *User
	// NameKey is the name lowered the Go way (Unicode, unlike SQLite's LOWER),
	// for finding an organization by name whatever its case.
	NameKey   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (o *Organization) BeforeSave(*gorm.DB) error {
	o.NameKey = NameKey(o.Name)
	return nil
}

// FindOrganizationByName finds an organization by name, ignoring case.
func FindOrganizationByName(db *gorm.DB, name string) (*Organization, error) {
	var o Organization
	if err := db.Where("name_key = ?", NameKey(name)).Order("id").First(&o).Error; err != nil {
		return nil, err
	}
	return &o, nil
}

type Contact struct {
	ID             uint
	OrganizationID uint
	Organization   *Organization
	FirstName      string
	LastName       string
	Email          string
	Phone          string
	Title          string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (c Contact) FullName() string {
	if c.FirstName == "" {
		return c.LastName
	}
	if c.LastName == "" {
		return c.FirstName
	}
	return c.FirstName + " " + c.LastName
}

// OrgFilter narrows the organization list.
type OrgFilter struct {
	Text string
	Type OrgType
}

// ListOrganizations returns one page of organizations by name.
func ListOrganizations(db *gorm.DB, f OrgFilter, p Page) ([]Organization, bool, error) {
	q := db.Model(&Organization{}).Preload("Owner")
	if f.Text != "" {
		pat := likePattern(f.Text)
		q = q.Where(`(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(city) LIKE ? ESCAPE '\' OR LOWER(phone) LIKE ? ESCAPE '\')`, pat, pat, pat)
	}
	if f.Type != "" {
		q = q.Where("type = ?", f.Type)
	}
	var rows []Organization
	err := q.Order("name, id").Offset(p.Offset()).Limit(p.Size + 1).Find(&rows).Error
	rows, more := Trim(rows, p)
	return rows, more, err
}

// ContactsOf reads a page of an organization's contacts by name (an
// organization can have thousands: the page once listed them all).
func ContactsOf(db *gorm.DB, orgID uint, p Page) ([]Contact, bool, error) {
	var cs []Contact
	err := db.Where("organization_id = ?", orgID).Order("last_name, first_name, id").Offset(p.Offset()).Limit(p.Size + 1).Find(&cs).Error
	cs, more := Trim(cs, p)
	return cs, more, err
}

// ContactChoices lists up to limit contacts of the organizations orgIDs (the
// ones an organization select offers, or the chosen one) by name, with their
// organization ids, for a contact select: not every contact, and not every
// contact of an organization of thousands.
func ContactChoices(db *gorm.DB, orgIDs []uint, limit int) ([]Contact, error) {
	var cs []Contact
	if len(orgIDs) == 0 {
		return nil, nil
	}
	err := db.Select("id", "organization_id", "first_name", "last_name").Where("organization_id IN ?", orgIDs).
		Order("last_name, first_name, id").Limit(limit).Find(&cs).Error
	return cs, err
}
