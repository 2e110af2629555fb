package models

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// LeadImport is an uploaded file kept between the preview and the import, in
// the database so that any app instance can finish it.
type LeadImport struct {
	ID        uint
	UserID    uint
	Filename  string
	Content   string
	CreatedAt time.Time
}

// Import fields a column can be mapped to.
const (
	ColIgnore    = ""
	ColName      = "person_name"
	ColFirstName = "first_name"
	ColLastName  = "last_name"
	ColCompany   = "company_name"
	ColEmail     = "email"
	ColPhone     = "phone"
)

var ImportFields = []struct{ Key, Label string }{
	{ColIgnore, "Ignore this column"},
	{ColName, "Person name"},
	{ColFirstName, "First name"},
	{ColLastName, "Last name"},
	{ColCompany, "Company name"},
	{ColEmail, "E-mail"},
	{ColPhone, "Phone"},
}

// MaxImportBytes and MaxImportRows bound one import.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 50000
)

// ParsedCSV is an uploaded file split into its header and rows.
type ParsedCSV struct {
	Header    []string
	Rows      [][]string
	Lines     []int // the line in the file each row starts on
	Delimiter rune
}

// ErrImport is a problem with the file itself; nothing is imported.
type ErrImport struct{ Msg string }

func (e *ErrImport) Error() string { return e.Msg }

// ParseLeadCSV reads a CSV file as exported by spreadsheets: UTF-8 with or
// without a byte-order mark, comma or semicolon between fields, a header row.
func ParseLeadCSV(data []byte) (*ParsedCSV, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ErrImport{"The file is empty."}
	}
	if len(data) > MaxImportBytes {
		return nil, &ErrImport{fmt.Sprintf("The file is too large: at most %d MB.", MaxImportBytes>>20)}
	}
	if !utf8.Valid(data) {
		return nil, &ErrImport{"The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8” and upload it again."}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, &ErrImport{"The file is not a CSV text file."}
	}
	// The delimiter is guessed from the first line that has anything on it.
	var first []byte
	for rest := data; len(rest) > 0 && len(bytes.TrimSpace(first)) == 0; {
		first, rest, _ = bytes.Cut(rest, []byte{'\n'})
	}
	delim := ','
	if bytes.Count(first, []byte{';'}) > bytes.Count(first, []byte{','}) {
		delim = ';'
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	p := &ParsedCSV{Delimiter: delim}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, &ErrImport{fmt.Sprintf("The file is not valid CSV: line %d: %v.", pe.Line, pe.Err)}
			}
			return nil, &ErrImport{"The file is not valid CSV."}
		}
		if p.Header == nil {
			for i := range rec {
				rec[i] = strings.TrimSpace(rec[i])
			}
			p.Header = rec
			continue
		}
		if isBlank(rec) {
			continue
		}
		if len(p.Rows) >= MaxImportRows {
			return nil, &ErrImport{fmt.Sprintf("The file has more than %d rows: split it into smaller files.", MaxImportRows)}
		}
		line, _ := r.FieldPos(0)
		p.Rows = append(p.Rows, rec)
		p.Lines = append(p.Lines, line)
	}
	if len(p.Rows) == 0 {
		return nil, &ErrImport{"The file has a header row but no leads under it."}
	}
	return p, nil
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// AutoMapping guesses which field each column holds from its header.
func AutoMapping(header []string) []string {
	m := make([]string, len(header))
	used := map[string]bool{}
	for i, h := range header {
		k := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "", ".", "").Replace(h))
		var guess string
		switch {
		case strings.Contains(k, "email") || k == "mail":
			guess = ColEmail
		case strings.Contains(k, "phone") || strings.Contains(k, "tel") || strings.Contains(k, "mobile"):
			guess = ColPhone
		case strings.Contains(k, "company") || strings.Contains(k, "organi") || strings.Contains(k, "account") || k == "firm":
			guess = ColCompany
		case strings.Contains(k, "first") || k == "givenname" || k == "forename":
			guess = ColFirstName
		case strings.Contains(k, "last") || k == "surname" || k == "familyname":
			guess = ColLastName
		case strings.Contains(k, "name") || k == "contact" || k == "person":
			guess = ColName
		}
		if guess != "" && !used[guess] {
			m[i], used[guess] = guess, true
		}
	}
	return m
}

// ImportRow is one row of the file, read through the mapping and checked.
type ImportRow struct {
	Line        int // line in the file, header = 1
	PersonName  string
	CompanyName string
	Email       string
	Phone       string
	Problem     string // why it cannot be imported; "" when valid
	Duplicate   bool
}

// MappingProblem says what the mapping lacks, or "".
func MappingProblem(mapping []string) string {
	has := map[string]bool{}
	for _, m := range mapping {
		if has[m] && m != ColIgnore {
			return "Two columns are mapped to the same field. Map each field once."
		}
		has[m] = true
	}
	if !has[ColName] && !has[ColFirstName] && !has[ColLastName] {
		return "Map a column to Person name (or to First and Last name)."
	}
	if !has[ColEmail] && !has[ColPhone] {
		return "Map a column to E-mail or Phone: a lead must be reachable."
	}
	return ""
}

// CheckImport reads every row through the mapping, flags invalid rows with the
// reason and duplicates (an e-mail that is already a lead or a contact, or
// that appears twice in the file). It asks the database only about the
// e-mails in the file, in batches, so it stays fast next to millions of leads.
func CheckImport(db *gorm.DB, p *ParsedCSV, mapping []string) ([]ImportRow, error) {
	rows := make([]ImportRow, len(p.Rows))
	seen := map[string]int{}
	var emails []string
	for i, rec := range p.Rows {
		r := ImportRow{Line: i + 2}
		if i < len(p.Lines) {
			r.Line = p.Lines[i]
		}
		var first, last string
		for c, key := range mapping {
			if c >= len(rec) {
				continue
			}
			v := strings.TrimSpace(rec[c])
			switch key {
			case ColName:
				r.PersonName = v
			case ColFirstName:
				first = v
			case ColLastName:
				last = v
			case ColCompany:
				r.CompanyName = v
			case ColEmail:
				r.Email = NormalizeEmail(v)
			case ColPhone:
				r.Phone = v
			}
		}
		if r.PersonName == "" {
			r.PersonName = strings.TrimSpace(first + " " + last)
		}
		switch {
		case r.PersonName == "":
			r.Problem = "No person name."
		case utf8.RuneCountInString(r.PersonName) > 200 || utf8.RuneCountInString(r.CompanyName) > 200 || len(r.Phone) > 40:
			r.Problem = "A value is too long."
		case r.Email == "" && r.Phone == "":
			r.Problem = "Neither an e-mail nor a phone number."
		case r.Email != "" && !ValidEmail(r.Email):
			r.Problem = "“" + r.Email + "” is not an e-mail address."
		}
		if r.Problem == "" && r.Email != "" {
			if prev, ok := seen[r.Email]; ok {
				r.Duplicate, r.Problem = true, fmt.Sprintf("Same e-mail as line %d.", prev)
			} else {
				seen[r.Email] = r.Line
				emails = append(emails, r.Email)
			}
		}
		rows[i] = r
	}
	known := map[string]string{}
	for start := 0; start < len(emails); start += 500 {
		batch := emails[start:min(start+500, len(emails))]
		var leadEmails, contactEmails []string
		if err := db.Table("leads").Where("email IN ?", batch).Distinct().Pluck("email", &leadEmails).Error; err != nil {
			return nil, err
		}
		if err := db.Table("contacts").Where("email IN ?", batch).Distinct().Pluck("email", &contactEmails).Error; err != nil {
			return nil, err
		}
		for _, e := range leadEmails {
			known[e] = "Already a lead."
		}
		for _, e := range contactEmails {
			if _, ok := known[e]; !ok {
				known[e] = "Already a contact."
			}
		}
	}
	for i := range rows {
		if why, ok := known[rows[i].Email]; ok && rows[i].Problem == "" {
			rows[i].Duplicate, rows[i].Problem = true, why
		}
	}
	return rows, nil
}

// ValidEmail is the check of an e-mail address outside forms (imports, sending).
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") && len(s) <= 254
}

// ImportLeads stores the valid rows as New leads of the campaign, owned by
// owner, in one transaction: all of them or none.
func ImportLeads(db *gorm.DB, rows []ImportRow, campaignID *uint, owner *User, now time.Time) (int, error) {
	var leads []Lead
	for _, r := range rows {
		if r.Problem != "" {
			continue
		}
		leads = append(leads, Lead{CampaignID: campaignID, PersonName: r.PersonName, CompanyName: r.CompanyName,
			Email: r.Email, Phone: r.Phone, OwnerID: owner.ID, Status: LeadNew, CreatedAt: now, UpdatedAt: now})
	}
	if len(leads) == 0 {
		return 0, nil
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.CreateInBatches(&leads, 500).Error; err != nil {
			return err
		}
		events := make([]LeadEvent, len(leads))
		for i, l := range leads {
			events[i] = LeadEvent{LeadID: l.ID, UserID: &owner.ID, Field: "status", NewValue: "New (imported)", CreatedAt: now}
		}
		return tx.CreateInBatches(&events, 500).Error
	})
	return len(leads), err
}
