package views

import (
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Shared field checks used by the forms' Validate methods.

func checkRequired(e *Errors, field, value, label string, maxRunes int) {
	if strings.TrimSpace(value) == "" {
		e.Add(field, label+" is required.")
		return
	}
	checkLen(e, field, value, label, maxRunes)
}

func checkLen(e *Errors, field, value, label string, maxRunes int) {
	if !utf8.ValidString(value) {
		e.Add(field, label+" contains characters that are not valid text.")
	} else if strings.ContainsRune(value, 0) {
		e.Add(field, label+" contains a NUL character.")
	} else if n := utf8.RuneCountInString(value); n > maxRunes {
		e.Add(field, label+" is too long: at most "+itoa(maxRunes)+" characters.")
	}
}

func checkEmail(e *Errors, field, value string, required bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		if required {
			e.Add(field, "Email is required.")
		}
		return
	}
	a, err := mail.ParseAddress(value)
	if err != nil || a.Address != value || !strings.Contains(value[strings.LastIndex(value, "@"):], ".") || len(value) > 254 {
		e.Add(field, "Enter an e-mail address such as name@example.com.")
	}
}

func checkPassword(e *Errors, field, value string) {
	switch {
	case len(value) < 8:
		e.Add(field, "The password must have at least 8 characters.")
	case len(value) > 72:
		e.Add(field, "The password can have at most 72 bytes.")
	}
}

// Validate checks the setup form.
func (f *SetupForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 100)
	checkEmail(&f.Errs, "email", f.Email, true)
	checkPassword(&f.Errs, "password", f.Password)
}

// Validate checks the user form; validRole is asked about the role value.
func (f *UserForm) Validate(creating bool, validRole func(string) bool) {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 100)
	if creating {
		checkEmail(&f.Errs, "email", f.Email, true)
	}
	if !validRole(f.Role) {
		f.Errs.Add("role", "Choose a role from the list.")
	}
	if creating {
		checkPassword(&f.Errs, "password", f.Password)
	}
}

// ValidatePassword checks the password of the reset form.
func (f *UserForm) ValidatePassword() {
	f.Errs = Errors{}
	checkPassword(&f.Errs, "password", f.Password)
}

// Validate checks the organization form; choices are checked by the handler.
func (f *OrgForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 200)
	checkLen(&f.Errs, "address", f.Address, "Address", 300)
	checkLen(&f.Errs, "city", f.City, "City", 100)
	checkLen(&f.Errs, "postal_code", f.PostalCode, "Postal code", 20)
	checkLen(&f.Errs, "country", f.Country, "Country", 100)
	checkPhone(&f.Errs, "phone", f.Phone)
	if w := strings.TrimSpace(f.Website); w != "" {
		u, err := url.Parse(w)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(w) > 200 {
			f.Errs.Add("website", "Enter a web address that starts with https:// or http://.")
		}
	}
}

func (f *ContactForm) Validate() {
	f.Errs = Errors{}
	checkLen(&f.Errs, "first_name", f.FirstName, "First name", 100)
	checkRequired(&f.Errs, "last_name", f.LastName, "Last name", 100)
	checkLen(&f.Errs, "title", f.Title, "Job title", 100)
	checkEmail(&f.Errs, "email", f.Email, false)
	checkPhone(&f.Errs, "phone", f.Phone)
}

func checkPhone(e *Errors, field, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	digits := 0
	for _, r := range value {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().x/", r):
		default:
			e.Add(field, "A phone number may hold digits, spaces and + - ( ) . only.")
			return
		}
	}
	if digits < 3 || len(value) > 40 {
		e.Add(field, "Enter a phone number such as +1 206 555 0101.")
	}
}

// Validate checks the text fields of the opportunity form; ids, numbers, dates
// and amounts are checked where they are decoded.
func (f *OppForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "title", f.Title, "Title", 200)
	checkLen(&f.Errs, "description", f.Description, "Description", 5000)
	f.validateText()
}

func (f *OppForm) validateText() {
	checkLen(&f.Errs, "next_step", f.NextStep, "Next step", 300)
}

func (f *NoteForm) Validate(kindOK bool) {
	f.Errs = Errors{}
	if !kindOK {
		f.Errs.Add("kind", "Choose a type from the list.")
	}
	checkRequired(&f.Errs, "body", f.Body, "The note", 5000)
}

func (f *TodoForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "title", f.Title, "The to-do", 200)
}

func (f *OutcomeForm) Validate() {
	f.Errs = Errors{}
	checkLen(&f.Errs, "detail", f.Detail, "Detail", 2000)
}

func (f *ReopenForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "reason", f.Reason, "The reason", 1000)
}

// Validate checks a picklist value or stage form.
func (f *ValueForm) Validate(stage bool) {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 100)
	checkLen(&f.Errs, "description", f.Description, "Description", 300)
	if f.Colour != "" && !validColour(f.Colour) {
		f.Errs.Add("colour", "Choose a colour such as #2563eb.")
	}
	if stage {
		n, err := strconv.Atoi(strings.TrimSpace(f.Probability))
		if err != nil || n < 0 || n > 100 {
			f.Errs.Add("default_probability", "Enter a whole number from 0 to 100.")
		}
		if f.IsWon == "on" && f.IsLost == "on" {
			f.Errs.Add("is_lost", "A stage cannot be both the won and the lost stage.")
		}
	}
}

func validColour(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

func (f *CampaignForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 200)
	checkLen(&f.Errs, "description", f.Description, "Description", 5000)
}

func (f *LeadForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "person_name", f.PersonName, "Person name", 200)
	checkLen(&f.Errs, "company_name", f.CompanyName, "Company name", 200)
	checkEmail(&f.Errs, "email", f.Email, false)
	checkPhone(&f.Errs, "phone", f.Phone)
	for _, n := range []struct{ field, value, label string }{
		{"need_note", f.NeedNote, "The note"}, {"solution_note", f.SolutionNote, "The note"},
		{"timeframe_note", f.TimeframeNote, "The note"}, {"budget_note", f.BudgetNote, "The note"},
	} {
		checkLen(&f.Errs, n.field, n.value, n.label, 300)
	}
	if strings.TrimSpace(f.Email) == "" && strings.TrimSpace(f.Phone) == "" && !f.Errs.Any() {
		f.Errs.Add("email", "Give an e-mail address or a phone number, so the lead can be reached.")
	}
}

func (f *QuoteForm) Validate() {
	f.Errs = Errors{}
	checkRequired(&f.Errs, "name", f.Name, "Name", 200)
	checkLen(&f.Errs, "bill_to", f.BillTo, "Bill to", 1000)
	checkLen(&f.Errs, "ship_to", f.ShipTo, "Ship to", 1000)
	checkLen(&f.Errs, "comments", f.Comments, "Comments", 5000)
}

func (v *CustomerQuote) Validate() {
	v.Errs = Errors{}
	checkRequired(&v.Errs, "name", v.Name, "Your name", 200)
	checkLen(&v.Errs, "comment", v.Comment, "The comment", 2000)
}
