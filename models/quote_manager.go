package models

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The Quote Manager integration: an external quoting tool pushes its quotes
// to us (POST /api/integrations/quote-manager/quotes) and, while the
// integration is active, they are the quotes shown everywhere. Everything it
// needs lives in the database, so several app instances agree.

// QuoteManagerSettings is the one row of the integration's settings.
type QuoteManagerSettings struct {
	ID           uint
	DisplayName  string
	BaseURL      string
	AutoMarkWon  bool
	WinReasonID  *uint
	KeyHash      string // hex SHA-256 of the API key; "" when there is none
	KeyHint      string // the key's last characters, to recognise it
	KeyCreatedAt *time.Time
	UpdatedAt    *time.Time
}

func (QuoteManagerSettings) TableName() string { return "quote_manager_settings" }

// HasKey tells whether an API key is set (and not revoked).
func (s *QuoteManagerSettings) HasKey() bool { return s.KeyHash != "" }

// Name is the tool's name as shown in the UI.
func (s *QuoteManagerSettings) Name() string {
	if strings.TrimSpace(s.DisplayName) == "" {
		return "Quote Manager"
	}
	return s.DisplayName
}

// NewQuoteURL is where "New quote" leads for an opportunity: the tool's base
// URL with our opportunity id, or "" when no base URL is set.
func (s *QuoteManagerSettings) NewQuoteURL(oppID uint) string {
	if s.BaseURL == "" {
		return ""
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil {
		return ""
	}
	if oppID != 0 {
		q := u.Query()
		q.Set("opportunity_id", strconv.FormatUint(uint64(oppID), 10))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

func LoadQuoteManagerSettings(db *gorm.DB) (*QuoteManagerSettings, error) {
	var s QuoteManagerSettings
	err := db.First(&s, 1).Error
	return &s, err
}

// QuoteManagerForm is what the admin may change on the settings page.
type QuoteManagerForm struct {
	DisplayName string
	BaseURL     string
	AutoMarkWon bool
	WinReasonID uint
}

// Problems checks the settings; the win reason is needed when the
// integration marks opportunities won by itself.
func (f *QuoteManagerForm) Problems(db *gorm.DB) ([]FieldProblem, error) {
	var p []FieldProblem
	f.DisplayName, f.BaseURL = strings.TrimSpace(f.DisplayName), strings.TrimSpace(f.BaseURL)
	switch {
	case f.DisplayName == "":
		p = append(p, FieldProblem{"display_name", "Enter the name of the quoting tool, such as Quote Manager."})
	case utf8.RuneCountInString(f.DisplayName) > 60:
		p = append(p, FieldProblem{"display_name", "Use at most 60 characters."})
	}
	if f.BaseURL != "" && !webURL(f.BaseURL, 500) {
		p = append(p, FieldProblem{"base_url", "Enter a web address starting with https:// or http://, at most 500 characters."})
	}
	if f.AutoMarkWon {
		if f.WinReasonID == 0 {
			p = append(p, FieldProblem{"win_reason_id", "Choose the win reason the opportunities are marked won with."})
		} else if err := CheckPicklist(db, WinReasons, f.WinReasonID, nil); errors.Is(err, ErrNotOffered) {
			p = append(p, FieldProblem{"win_reason_id", "Choose a win reason from the list."})
		} else if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// SaveQuoteManagerSettings stores a checked form.
func SaveQuoteManagerSettings(db *gorm.DB, f QuoteManagerForm, now time.Time) error {
	var reason *uint
	if f.AutoMarkWon || f.WinReasonID != 0 {
		reason = &f.WinReasonID
	}
	return db.Model(&QuoteManagerSettings{ID: 1}).Select("DisplayName", "BaseURL", "AutoMarkWon", "WinReasonID", "UpdatedAt").
		Updates(&QuoteManagerSettings{DisplayName: f.DisplayName, BaseURL: f.BaseURL, AutoMarkWon: f.AutoMarkWon, WinReasonID: reason, UpdatedAt: &now}).Error
}

// webURL: an absolute http(s) address of at most max bytes.
func webURL(s string, max int) bool {
	if len(s) > max {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

// quoteManagerKeyPrefix marks our keys, so a leaked one is recognisable.
const quoteManagerKeyPrefix = "sdqm_"

func hashKey(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])
}

// NewQuoteManagerKey makes a new API key (256 random bits) and stores only its
// hash: the old key, if any, stops working at once. The key is returned to be
// shown once; it cannot be read back.
func NewQuoteManagerKey(db *gorm.DB, now time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	key := quoteManagerKeyPrefix + base64.RawURLEncoding.EncodeToString(b)
	err := db.Model(&QuoteManagerSettings{ID: 1}).Select("KeyHash", "KeyHint", "KeyCreatedAt", "UpdatedAt").
		Updates(&QuoteManagerSettings{KeyHash: hashKey(key), KeyHint: key[len(key)-4:], KeyCreatedAt: &now, UpdatedAt: &now}).Error
	return key, err
}

// RevokeQuoteManagerKey removes the key: every call is refused until a new one is made.
func RevokeQuoteManagerKey(db *gorm.DB, now time.Time) error {
	return db.Model(&QuoteManagerSettings{ID: 1}).Select("KeyHash", "KeyHint", "KeyCreatedAt", "UpdatedAt").
		Updates(map[string]any{"key_hash": "", "key_hint": "", "key_created_at": nil, "updated_at": now}).Error
}

// ValidKey compares a presented key with the stored hash in constant time.
func (s *QuoteManagerSettings) ValidKey(presented string) bool {
	if s.KeyHash == "" || presented == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(hashKey(presented)), []byte(s.KeyHash)) == 1
}

// ExternalStatus is where an external quote stands. Withdrawn is ours: the
// tool deleted the quote.
type ExternalStatus string

const (
	ExtDraft     ExternalStatus = "draft"
	ExtSent      ExternalStatus = "sent"
	ExtViewed    ExternalStatus = "viewed"
	ExtDeclined  ExternalStatus = "declined"
	ExtWon       ExternalStatus = "won"
	ExtWithdrawn ExternalStatus = "withdrawn"
)

// ExternalStatuses are the statuses the API accepts, in the order of a quote's life.
var ExternalStatuses = []ExternalStatus{ExtDraft, ExtSent, ExtViewed, ExtDeclined, ExtWon}

func (s ExternalStatus) Label() string {
	switch s {
	case ExtDraft:
		return "Draft"
	case ExtSent:
		return "Sent"
	case ExtViewed:
		return "Viewed"
	case ExtDeclined:
		return "Declined"
	case ExtWon:
		return "Won"
	case ExtWithdrawn:
		return "Withdrawn"
	}
	return string(s)
}

// Open: the customer has not answered yet.
func (s ExternalStatus) Open() bool { return s == ExtDraft || s == ExtSent || s == ExtViewed }

// ExternalQuote is a quote of the external tool, as it last told us.
type ExternalQuote struct {
	ID                uint
	ExternalID        string
	OpportunityID     uint
	Opportunity       *Opportunity
	Number            string
	Title             string
	Status            ExternalStatus
	Currency          string
	OneTime           Money
	Monthly           Money
	Yearly            Money
	Total             Money
	ExpiresOn         time.Time
	OwnerEmail        string
	DocumentURL       string
	SalesOrderNumber  string
	SalesOrderStatus  string
	ExternalUpdatedAt time.Time
	WithdrawnAt       *time.Time
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Money shows an amount of the quote: "$" for USD, the currency code otherwise.
func (q *ExternalQuote) Money(m Money) string {
	if q.Currency == "USD" {
		return m.Display()
	}
	return q.Currency + " " + m.String()
}

// Expired: not answered and past its expiry date.
func (q *ExternalQuote) Expired(now time.Time) bool {
	return q.Status.Open() && q.ExpiresOn.Before(DateOnly(now))
}

// Revenue is the quote's totals as opportunity revenue: what winning from it sets.
func (q *ExternalQuote) Revenue() Amounts {
	return Amounts{OneTime: q.OneTime, Monthly: q.Monthly, Yearly: q.Yearly}
}

// ExternalQuoteInput is one checked request body of the API.
type ExternalQuoteInput struct {
	ExternalID       string
	Number           string
	Title            string
	OpportunityID    uint
	Status           ExternalStatus
	Currency         string
	OneTime          Money
	Monthly          Money
	Yearly           Money
	Total            Money
	ExpiresOn        time.Time
	OwnerEmail       string
	DocumentURL      string
	SalesOrderNumber string
	SalesOrderStatus string
	UpdatedAt        time.Time
}

// MaxQuoteManagerBody is the largest request body the API reads (1 MB).
const MaxQuoteManagerBody = 1 << 20

var (
	externalIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,100}$`)
	currencyPattern   = regexp.MustCompile(`^[A-Z]{3}$`)
	amountPattern     = regexp.MustCompile(`^[0-9]+(\.[0-9]{1,2})?$`)
)

// ValidExternalID: what an external id may be (it is also a URL path segment).
func ValidExternalID(s string) bool { return externalIDPattern.MatchString(s) }

var quoteFields = map[string]bool{"external_id": true, "number": true, "title": true, "opportunity_id": true, "status": true,
	"currency": true, "totals": true, "expires_on": true, "owner_email": true, "document_url": true,
	"sales_order_number": true, "sales_order_status": true, "updated_at": true}

var totalFields = []string{"one_time", "monthly", "yearly", "total"}

// DecodeExternalQuote reads and checks an API request body. Every problem is
// reported, not only the first, each with the field it is about. Amounts are
// JSON strings ("1250.00") or numbers (1250.5) with at most two decimals,
// read from their text into exact cents: never through a float.
func DecodeExternalQuote(body []byte) (ExternalQuoteInput, []FieldProblem) {
	var in ExternalQuoteInput
	var probs []FieldProblem
	add := func(field, msg string) { probs = append(probs, FieldProblem{field, msg}) }
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		add("", "The body is empty: send the quote as a JSON object.")
		return in, probs
	}
	if !utf8.Valid(body) {
		add("", "The body is not valid UTF-8.")
		return in, probs
	}
	if hasLoneSurrogate(body) {
		add("", `The body is not valid text: it escapes half of a UTF-16 surrogate pair (such as \ud800) without the other half.`)
		return in, probs
	}
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			add("", "The body must be a JSON object.")
		} else {
			add("", "The body is not valid JSON: "+err.Error()+".")
		}
		return in, probs
	}
	if raw == nil {
		add("", "The body must be a JSON object.")
		return in, probs
	}
	if dec.More() {
		add("", "The body must be one JSON object, with nothing after it.")
		return in, probs
	}
	var unknown []string
	for k := range raw {
		if !quoteFields[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		add(k, "Unknown field.")
	}

	str := func(field string, required bool, max int) string {
		v, ok := raw[field]
		if !ok || string(v) == "null" {
			if required {
				add(field, "Missing: it is required.")
			}
			return ""
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			add(field, "Must be a string.")
			return ""
		}
		s = strings.TrimSpace(s)
		switch {
		case required && s == "":
			add(field, "Must not be empty.")
		case utf8.RuneCountInString(s) > max:
			add(field, fmt.Sprintf("Must be at most %d characters.", max))
		case strings.IndexFunc(s, unicode.IsControl) >= 0:
			add(field, "Must not contain control characters.")
		default:
			return s
		}
		return ""
	}

	if id := str("external_id", true, 100); id != "" {
		if ValidExternalID(id) {
			in.ExternalID = id
		} else {
			add("external_id", "Use 1 to 100 letters, digits, dots, colons, dashes or underscores.")
		}
	}
	in.Number = str("number", true, 50)
	in.Title = str("title", true, 200)
	if v, ok := raw["opportunity_id"]; !ok || string(v) == "null" {
		add("opportunity_id", "Missing: it is required.")
	} else if n, err := strconv.ParseUint(string(v), 10, 32); err != nil || n == 0 {
		add("opportunity_id", "Must be the id of a Salesdesk opportunity: a whole number above 0.")
	} else {
		in.OpportunityID = uint(n)
	}
	if s := str("status", true, 20); s != "" {
		st := ExternalStatus(strings.ToLower(s))
		valid := false
		for _, v := range ExternalStatuses {
			valid = valid || v == st
		}
		if valid {
			in.Status = st
		} else {
			add("status", "Must be one of Draft, Sent, Viewed, Declined, Won.")
		}
	}
	if s := str("currency", true, 3); s != "" {
		if currencyPattern.MatchString(s) {
			in.Currency = s
		} else {
			add("currency", "Must be a three-letter ISO 4217 code in capitals, such as USD.")
		}
	}
	if v, ok := raw["totals"]; !ok || string(v) == "null" {
		add("totals", "Missing: it is required.")
	} else {
		var totals map[string]json.RawMessage
		if err := json.Unmarshal(v, &totals); err != nil || totals == nil {
			add("totals", "Must be an object with one_time, monthly, yearly and total.")
		} else {
			for k := range totals {
				if !slicesContains(totalFields, k) {
					add("totals."+k, "Unknown field.")
				}
			}
			dst := map[string]*Money{"one_time": &in.OneTime, "monthly": &in.Monthly, "yearly": &in.Yearly, "total": &in.Total}
			for _, k := range totalFields {
				m, msg := decodeAmount(totals[k])
				if msg != "" {
					add("totals."+k, msg)
				}
				*dst[k] = m
			}
		}
	}
	if s := str("expires_on", true, 10); s != "" {
		if d, err := time.Parse(time.DateOnly, s); err == nil && d.Year() >= 2000 && d.Year() <= 2999 {
			in.ExpiresOn = d
		} else {
			add("expires_on", "Must be a date written 2026-12-31.")
		}
	}
	if s := str("owner_email", true, 254); s != "" {
		if ValidEmail(s) {
			in.OwnerEmail = s
		} else {
			add("owner_email", "Must be an e-mail address such as jane@example.com.")
		}
	}
	if s := str("document_url", true, 2000); s != "" {
		if webURL(s, 2000) {
			in.DocumentURL = s
		} else {
			add("document_url", "Must be an absolute https:// or http:// address.")
		}
	}
	in.SalesOrderNumber = str("sales_order_number", false, 50)
	in.SalesOrderStatus = str("sales_order_status", false, 50)
	if in.SalesOrderStatus != "" && in.SalesOrderNumber == "" {
		add("sales_order_number", "Required with sales_order_status.")
	}
	if s := str("updated_at", true, 40); s != "" {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil && t.Year() >= 2000 && t.Year() <= 2999 {
			in.UpdatedAt = t.UTC()
		} else {
			add("updated_at", "Must be a time in RFC 3339, such as 2026-11-26T17:00:00Z.")
		}
	}
	return in, probs
}

// hasLoneSurrogate reports whether JSON text holds a \uD800–\uDFFF escape that
// is not one half of a pair. encoding/json would quietly turn it into U+FFFD,
// storing a character the sender never wrote.
func hasLoneSurrogate(b []byte) bool {
	hex4 := func(i int) (rune, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' {
			continue
		}
		r, ok := hex4(i)
		switch {
		case !ok:
			i++ // an escape such as \\ or \": skip the escaped byte
		case r >= 0xD800 && r <= 0xDBFF:
			low, ok := hex4(i + 6)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// decodeAmount reads one total: a JSON string or number, not negative, at
// most two decimals, no exponent, no separators; the text goes to ParseMoney.
func decodeAmount(v json.RawMessage) (Money, string) {
	const want = `Must be an amount of at most two decimals, as a string ("1250.00") or a number (1250.5).`
	if v == nil || string(v) == "null" {
		return 0, "Missing: it is required."
	}
	text := string(v)
	if strings.HasPrefix(text, `"`) {
		if err := json.Unmarshal(v, &text); err != nil {
			return 0, want
		}
	} else if text == "" || !(text[0] == '-' || (text[0] >= '0' && text[0] <= '9')) {
		return 0, want
	}
	if strings.HasPrefix(text, "-") {
		return 0, "Must not be negative."
	}
	if !amountPattern.MatchString(text) {
		return 0, want
	}
	m, err := ParseMoney(text)
	if err != nil {
		return 0, fmt.Sprintf("Too large: at most %s.", MaxMoney)
	}
	return m, ""
}

// UpsertResult is what a POST did.
type UpsertResult string

const (
	UpsertCreated   UpsertResult = "created"
	UpsertUpdated   UpsertResult = "updated"
	UpsertUnchanged UpsertResult = "unchanged"
	// UpsertStale: the body's updated_at is older than the stored one; nothing changed.
	UpsertStale UpsertResult = "ignored"
)

// ErrQuoteProblems carries the problems found against the database.
type ErrQuoteProblems struct{ Problems []FieldProblem }

func (e *ErrQuoteProblems) Error() string { return "invalid external quote" }

// UpsertExternalQuote stores in by its external id, in one transaction: a
// new quote is created; a stored one changes only when in.UpdatedAt is newer
// than what we have, so replays and late, out-of-order deliveries change
// nothing. An external id stays bound to the opportunity it was first sent
// for. It returns what it did, the stored quote, and whether the quote moved
// to Won with this call.
func UpsertExternalQuote(db *gorm.DB, in ExternalQuoteInput, now time.Time) (UpsertResult, *ExternalQuote, bool, error) {
	var res UpsertResult
	var q ExternalQuote
	var becameWon bool
	var err error
	// Two first deliveries of one id at once on PostgreSQL: the loser of the
	// unique index tries again and finds the winner's row.
	for attempt := 0; attempt < 3; attempt++ {
		res, becameWon = "", false
		q = ExternalQuote{}
		err = db.Transaction(func(tx *gorm.DB) error {
			var probs []FieldProblem
			var opp Opportunity
			if err := tx.Select("id").First(&opp, in.OpportunityID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
				probs = append(probs, FieldProblem{"opportunity_id", fmt.Sprintf("There is no opportunity %d in Salesdesk.", in.OpportunityID)})
			} else if err != nil {
				return err
			}
			found := true
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("external_id = ?", in.ExternalID).First(&q).Error; errors.Is(err, gorm.ErrRecordNotFound) {
				found = false
			} else if err != nil {
				return err
			}
			if found && q.OpportunityID != in.OpportunityID && len(probs) == 0 {
				probs = append(probs, FieldProblem{"opportunity_id", fmt.Sprintf("The quote %s belongs to opportunity %d; an external id cannot move to another opportunity.", in.ExternalID, q.OpportunityID)})
			}
			if len(probs) > 0 {
				return &ErrQuoteProblems{probs}
			}
			if found && !in.UpdatedAt.After(q.ExternalUpdatedAt) {
				res = UpsertStale
				if in.UpdatedAt.Equal(q.ExternalUpdatedAt) && q.sameAs(in) {
					res = UpsertUnchanged
				}
				return nil
			}
			before := q.Status
			q.ExternalID, q.OpportunityID, q.Number, q.Title, q.Status, q.Currency = in.ExternalID, in.OpportunityID, in.Number, in.Title, in.Status, in.Currency
			q.OneTime, q.Monthly, q.Yearly, q.Total = in.OneTime, in.Monthly, in.Yearly, in.Total
			q.ExpiresOn, q.OwnerEmail, q.DocumentURL = in.ExpiresOn, in.OwnerEmail, in.DocumentURL
			q.SalesOrderNumber, q.SalesOrderStatus, q.ExternalUpdatedAt, q.WithdrawnAt = in.SalesOrderNumber, in.SalesOrderStatus, in.UpdatedAt, nil
			q.UpdatedAt = now
			becameWon = q.Status == ExtWon && before != ExtWon
			if !found {
				q.CreatedAt, res = now, UpsertCreated
				return tx.Create(&q).Error
			}
			res = UpsertUpdated
			return tx.Save(&q).Error
		})
		if !errors.Is(err, gorm.ErrDuplicatedKey) {
			break
		}
	}
	if err != nil {
		return "", nil, false, err
	}
	return res, &q, becameWon, nil
}

// sameAs: the stored quote says what in says.
func (q *ExternalQuote) sameAs(in ExternalQuoteInput) bool {
	return q.Number == in.Number && q.Title == in.Title && q.Status == in.Status && q.Currency == in.Currency &&
		q.OneTime == in.OneTime && q.Monthly == in.Monthly && q.Yearly == in.Yearly && q.Total == in.Total &&
		q.ExpiresOn.Equal(in.ExpiresOn) && q.OwnerEmail == in.OwnerEmail && q.DocumentURL == in.DocumentURL &&
		q.SalesOrderNumber == in.SalesOrderNumber && q.SalesOrderStatus == in.SalesOrderStatus
}

// WithdrawExternalQuote marks a quote withdrawn (the tool deleted it). It is
// kept for the record and hidden from the pipeline's counts. Withdrawing
// twice changes nothing; an update with a newer updated_at brings it back.
func WithdrawExternalQuote(db *gorm.DB, externalID string, now time.Time) (UpsertResult, error) {
	res := UpsertUpdated
	err := db.Transaction(func(tx *gorm.DB) error {
		var q ExternalQuote
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Where("external_id = ?", externalID).First(&q).Error; err != nil {
			return err
		}
		if q.Status == ExtWithdrawn {
			res = UpsertUnchanged
			return nil
		}
		return tx.Model(&q).Updates(map[string]any{"status": ExtWithdrawn, "withdrawn_at": now, "updated_at": now}).Error
	})
	return res, err
}

// LoadExternalQuote loads a quote with its opportunity.
func LoadExternalQuote(db *gorm.DB, id uint) (*ExternalQuote, error) {
	var q ExternalQuote
	err := db.Preload("Opportunity").First(&q, id).Error
	return &q, err
}

// ExternalQuotesOf lists the quotes of an opportunity, newest number first.
func ExternalQuotesOf(db *gorm.DB, oppID uint) ([]ExternalQuote, error) {
	var qs []ExternalQuote
	err := db.Where("opportunity_id = ?", oppID).Order("created_at DESC, id DESC").Find(&qs).Error
	return qs, err
}

// WinFromExternalQuote closes the opportunity of q as won with the quote's
// totals as its revenue: MarkWon does the rest, as "Mark as won" does.
func WinFromExternalQuote(db *gorm.DB, q *ExternalQuote, in OutcomeInput, by *User, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		var o Opportunity
		if err := tx.First(&o, q.OpportunityID).Error; err != nil {
			return err
		}
		rev := q.Revenue()
		o.Revenue.OneTime, o.Revenue.Monthly, o.Revenue.Yearly = rev.OneTime, rev.Monthly, rev.Yearly
		o.Revenue.Quarterly, o.Revenue.SemiAnnual = 0, 0
		return MarkWon(tx, &o, o.Version, in, by, now)
	})
}

// LoseFromExternalQuote marks the opportunity of a declined quote lost.
func LoseFromExternalQuote(db *gorm.DB, q *ExternalQuote, in OutcomeInput, by *User, now time.Time) error {
	var o Opportunity
	if err := db.First(&o, q.OpportunityID).Error; err != nil {
		return err
	}
	return MarkLost(db, &o, o.Version, in, by, now)
}

// AutoWinFromExternalQuote marks the opportunity of a quote that just became
// Won as won, when the admin ticked "mark as won automatically". It reports
// what it did, for the integration log; an opportunity already closed is
// left alone.
func AutoWinFromExternalQuote(db *gorm.DB, q *ExternalQuote, s *QuoteManagerSettings, now time.Time) (string, error) {
	if !s.AutoMarkWon || s.WinReasonID == nil {
		return "", nil
	}
	var o Opportunity
	if err := db.Select("id", "status").First(&o, q.OpportunityID).Error; err != nil {
		return "", err
	}
	if !o.Status.Open() {
		return "opportunity already " + strings.ToLower(o.Status.Label()) + ", not marked won", nil
	}
	err := WinFromExternalQuote(db, q, OutcomeInput{ReasonID: *s.WinReasonID, Date: DateOnly(now),
		Detail: "Quote " + q.Number + " won in " + s.Name() + "."}, nil, now)
	var conflict *ConflictError
	switch {
	case err == nil:
		return "opportunity marked won", nil
	case errors.Is(err, ErrNotOffered), errors.Is(err, ErrNoStage), errors.Is(err, ErrNotOpen), errors.As(err, &conflict):
		return "opportunity not marked won: " + err.Error(), nil
	}
	return "", err
}

// IntegrationLogEntry is one API call, as the admins read it. The key is never stored.
type IntegrationLogEntry struct {
	ID         uint
	Method     string
	ExternalID string
	Status     int
	Result     string
	Problems   string // one problem a line
	CreatedAt  time.Time
}

func (IntegrationLogEntry) TableName() string { return "integration_log" }

// The integration log is bounded: an entry is kept IntegrationLogDays days,
// and the table keeps only the newest IntegrationLogMaxRows entries. Every
// integrationLogPruneEvery-th entry written prunes it, so the table never
// holds more than IntegrationLogMaxRows+integrationLogPruneEvery rows, and
// the cost is one indexed delete per that many calls.
const (
	IntegrationLogDays       = 90
	IntegrationLogMaxRows    = 10000
	integrationLogPruneEvery = 100
)

// PruneIntegrationLog deletes the entries older than IntegrationLogDays and
// those beyond the newest IntegrationLogMaxRows, and says how many went.
func PruneIntegrationLog(db *gorm.DB, now time.Time) (int64, error) {
	old := db.Where("created_at < ?", now.UTC().AddDate(0, 0, -IntegrationLogDays)).Delete(&IntegrationLogEntry{})
	if old.Error != nil {
		return 0, old.Error
	}
	// The id of the oldest entry to keep; none (NULL) when the table is not full.
	over := db.Exec(`DELETE FROM integration_log WHERE id < (
		SELECT id FROM integration_log ORDER BY id DESC LIMIT 1 OFFSET ?)`, IntegrationLogMaxRows-1)
	if over.Error != nil {
		return 0, over.Error
	}
	return old.RowsAffected + over.RowsAffected, nil
}

// LogIntegration records one call. Problems are written "field: message", one a line.
func LogIntegration(db *gorm.DB, method, externalID string, status int, result string, probs []FieldProblem, now time.Time) error {
	lines := make([]string, len(probs))
	for i, p := range probs {
		lines[i] = p.Msg
		if p.Field != "" {
			lines[i] = p.Field + ": " + p.Msg
		}
	}
	// What the caller sent (an id from the path, an unknown field's name) is
	// logged as text both databases can store, cut at 100 characters.
	externalID = StorableText(externalID)
	if r := []rune(externalID); len(r) > 100 {
		externalID = string(r[:100])
	}
	e := IntegrationLogEntry{Method: method, ExternalID: externalID, Status: status, Result: StorableText(result),
		Problems: StorableText(strings.Join(lines, "\n")), CreatedAt: now}
	if err := db.Create(&e).Error; err != nil {
		return err
	}
	if e.ID%integrationLogPruneEvery == 0 {
		_, err := PruneIntegrationLog(db, now)
		return err
	}
	return nil
}

// IntegrationLog is one page of the log, newest first.
func IntegrationLog(db *gorm.DB, p Page) ([]IntegrationLogEntry, bool, error) {
	var rows []IntegrationLogEntry
	if err := db.Order("created_at DESC, id DESC").Offset(p.Offset()).Limit(p.Size + 1).Find(&rows).Error; err != nil {
		return nil, false, err
	}
	rows, more := Trim(rows, p)
	return rows, more, nil
}

// quotedSQL is the condition "the opportunity has a quote": the built-in
// quotes, or the external ones (not withdrawn) while the integration is on.
func quotedSQL(external bool) string {
	if external {
		return "EXISTS (SELECT 1 FROM external_quotes WHERE external_quotes.opportunity_id = opportunities.id AND external_quotes.status <> 'withdrawn')"
	}
	return "opportunities.quoted"
}
