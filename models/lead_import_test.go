package models_test

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

var impNow = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

func impParse(t *testing.T, data string) *models.ParsedCSV {
	t.Helper()
	p, err := models.ParseLeadCSV([]byte(data))
	if err != nil {
		t.Fatalf("ParseLeadCSV: %v", err)
	}
	return p
}

func TestParseLeadCSVAcceptsSpreadsheetFiles(t *testing.T) {
	const bom = "\xef\xbb\xbf"
	cases := []struct {
		name   string
		data   string
		delim  rune
		header []string
		rows   [][]string
	}{
		{"comma", "Name,Email\nAnn Archer,ann@x.example\nBen Baker,ben@x.example\n", ',',
			[]string{"Name", "Email"}, [][]string{{"Ann Archer", "ann@x.example"}, {"Ben Baker", "ben@x.example"}}},
		{"semicolon, comma inside a field", "Name;Company;Email\nAnn Archer;Archers, Inc.;ann@x.example\n", ';',
			[]string{"Name", "Company", "Email"}, [][]string{{"Ann Archer", "Archers, Inc.", "ann@x.example"}}},
		{"comma with BOM", bom + "Name,Email\nAnn Archer,ann@x.example\n", ',',
			[]string{"Name", "Email"}, [][]string{{"Ann Archer", "ann@x.example"}}},
		{"semicolon with BOM and CRLF", bom + "Name;Email\r\nAnn Archer;ann@x.example\r\nBen Baker;ben@x.example\r\n", ';',
			[]string{"Name", "Email"}, [][]string{{"Ann Archer", "ann@x.example"}, {"Ben Baker", "ben@x.example"}}},
		{"CRLF line ends", "Name,Email\r\nAnn Archer,ann@x.example\r\nBen Baker,ben@x.example", ',',
			[]string{"Name", "Email"}, [][]string{{"Ann Archer", "ann@x.example"}, {"Ben Baker", "ben@x.example"}}},
		{"quoted fields with commas, quotes and newlines", "Name,Notes,Email\n\"Archer, Ann\",\"met at booth 42,\nasked for a \"\"quote\"\"\",ann@x.example\n", ',',
			[]string{"Name", "Notes", "Email"}, [][]string{{"Archer, Ann", "met at booth 42,\nasked for a \"quote\"", "ann@x.example"}}},
		{"quoted newline in a CRLF file", "Name;Notes\r\n\"Ann\";\"one\r\ntwo\"\r\n", ';',
			[]string{"Name", "Notes"}, [][]string{{"Ann", "one\ntwo"}}},
		{"blank lines skipped", "Name,Email\n\nAnn Archer,ann@x.example\n\n\n,\n  ,  \nBen Baker,ben@x.example\n\n", ',',
			[]string{"Name", "Email"}, [][]string{{"Ann Archer", "ann@x.example"}, {"Ben Baker", "ben@x.example"}}},
		{"blank CRLF lines skipped", "Name;Email\r\n\r\nAnn Archer;ann@x.example\r\n;\r\n\r\n", ';',
			[]string{"Name", "Email"}, [][]string{{"Ann Archer", "ann@x.example"}}},
		{"header cells trimmed, values kept", " Name , E-mail \nAnn ,ann@x.example\n", ',',
			[]string{"Name", "E-mail"}, [][]string{{"Ann ", "ann@x.example"}}},
		{"non-ASCII text", "Name,Company\nZoë Ünal,Société Générale\n", ',',
			[]string{"Name", "Company"}, [][]string{{"Zoë Ünal", "Société Générale"}}},
		{"rows with fewer or more fields than the header", "Name,Email,Phone\nAnn\nBen,ben@x.example,1,extra\n", ',',
			[]string{"Name", "Email", "Phone"}, [][]string{{"Ann"}, {"Ben", "ben@x.example", "1", "extra"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := impParse(t, c.data)
			if p.Delimiter != c.delim {
				t.Errorf("delimiter %q, want %q", p.Delimiter, c.delim)
			}
			if !reflect.DeepEqual(p.Header, c.header) {
				t.Errorf("header %q, want %q", p.Header, c.header)
			}
			if !reflect.DeepEqual(p.Rows, c.rows) {
				t.Errorf("rows %q, want %q", p.Rows, c.rows)
			}
		})
	}
}

func TestParseLeadCSVDetectsSemicolonAfterLeadingBlankLine(t *testing.T) {
	p := impParse(t, "\r\nName;Email\r\nAnn Archer;ann@x.example\r\n")
	if p.Delimiter != ';' || !reflect.DeepEqual(p.Header, []string{"Name", "Email"}) {
		t.Fatalf("delimiter %q header %q, want ';' and [Name Email]", p.Delimiter, p.Header)
	}
}

func TestParseLeadCSVBoundaries(t *testing.T) {
	// Exactly MaxImportRows rows pass, one more does not.
	var b strings.Builder
	b.WriteString("Name,Email\n")
	for i := 0; i < models.MaxImportRows; i++ {
		fmt.Fprintf(&b, "P%d,p%d@x.example\n", i, i)
	}
	p, err := models.ParseLeadCSV([]byte(b.String()))
	if err != nil || len(p.Rows) != models.MaxImportRows {
		t.Fatalf("%d rows: err %v", models.MaxImportRows, err)
	}
	// Blank lines do not count as rows.
	if p, err := models.ParseLeadCSV([]byte(b.String() + "\n,\n\n")); err != nil || len(p.Rows) != models.MaxImportRows {
		t.Fatalf("%d rows and trailing blank lines: err %v", models.MaxImportRows, err)
	}

	// Exactly MaxImportBytes pass (a BOM on top is not counted).
	data := impSized(models.MaxImportBytes)
	if p, err := models.ParseLeadCSV(data); err != nil || len(p.Rows) == 0 {
		t.Fatalf("a file of exactly MaxImportBytes: err %v", err)
	}
	if _, err := models.ParseLeadCSV(append([]byte("\xef\xbb\xbf"), data...)); err != nil {
		t.Fatalf("a file of MaxImportBytes plus a BOM: err %v", err)
	}
}

// impSized is a valid CSV file of exactly n bytes.
func impSized(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Name,Notes\n")
	line := "Pat Doe," + strings.Repeat("x", 1000) + "\n"
	for b.Len()+len(line) <= n-len("Pat,\n") {
		b.WriteString(line)
	}
	b.WriteString("Pat,")
	b.WriteString(strings.Repeat("y", n-b.Len()-1))
	b.WriteByte('\n')
	return b.Bytes()
}

func TestParseLeadCSVRefusesBadFiles(t *testing.T) {
	manyRows := func() []byte {
		var b bytes.Buffer
		b.WriteString("Name,Email\n")
		for i := 0; i <= models.MaxImportRows; i++ {
			fmt.Fprintf(&b, "P%d,p%d@x.example\n", i, i)
		}
		return b.Bytes()
	}
	cases := []struct {
		name string
		data []byte
		want string // in the message
	}{
		{"empty", nil, "empty"},
		{"only white space", []byte(" \r\n\t\n"), "empty"},
		{"only a BOM", []byte("\xef\xbb\xbf\r\n"), "empty"},
		{"header only", []byte("Name,Email\n"), "no leads"},
		{"header and blank lines", []byte("Name;Email\r\n\r\n;\r\n"), "no leads"},
		{"Latin-1", []byte("Name,Email\nRen\xe9 Dupr\xe9,rene@x.example\n"), "UTF-8"},
		{"UTF-16 (Excel \"Unicode text\")", []byte("\xff\xfeN\x00a\x00m\x00e\x00\n\x00A\x00n\x00n\x00\n\x00"), "UTF-8"},
		{"NUL bytes", []byte("Name,Email\nAnn\x00,ann@x.example\n"), "not a CSV text file"},
		{"unbalanced quote", []byte("Name,Email\nAnn,ann@x.example\n\"Ben,ben@x.example\n"), "not valid CSV: line"},
		{"quote inside an unquoted field", []byte("Name,Email\nAn\"n,ann@x.example\n"), "not valid CSV: line 2"},
		{"text after a closing quote", []byte("Name,Email\n\"Ann\" A,ann@x.example\n"), "not valid CSV: line 2"},
		{"too many rows", manyRows(), fmt.Sprintf("more than %d rows", models.MaxImportRows)},
		{"too large", impSized(models.MaxImportBytes + 1), "too large: at most 10 MB"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := models.ParseLeadCSV(c.data)
			var ie *models.ErrImport
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want *models.ErrImport", err, err)
			}
			if p != nil {
				t.Errorf("a refused file returned %d rows", len(p.Rows))
			}
			if !strings.Contains(ie.Msg, c.want) {
				t.Errorf("message %q does not say %q", ie.Msg, c.want)
			}
			if !strings.HasPrefix(ie.Msg, "The file") || !strings.HasSuffix(ie.Msg, ".") || ie.Error() != ie.Msg {
				t.Errorf("message %q is not a sentence about the file", ie.Msg)
			}
		})
	}
}

func TestAutoMapping(t *testing.T) {
	const (
		ig = models.ColIgnore
		nm = models.ColName
		fn = models.ColFirstName
		ln = models.ColLastName
		co = models.ColCompany
		em = models.ColEmail
		ph = models.ColPhone
	)
	cases := []struct {
		header []string
		want   []string
	}{
		{[]string{"Name", "E-mail", "Phone"}, []string{nm, em, ph}},
		{[]string{"Full name", "Company", "Email Address", "Mobile"}, []string{nm, co, em, ph}},
		{[]string{"First Name", "Last name", "Organisation", "E-mail", "Phone", "Mobile"}, []string{fn, ln, co, em, ph, ig}},
		{[]string{"Name", "Full name", "Email", "Email Address", "Company", "Organization"}, []string{nm, ig, em, ig, co, ig}},
		{[]string{"Job title", "Notes", "Country", "Website", "City", "Lead source", ""}, []string{ig, ig, ig, ig, ig, ig, ig}},
		{[]string{"EMAIL", "first_name", "LAST-NAME", "Company Name", "Phone number", "Telephone"}, []string{em, fn, ln, co, ph, ig}},
		{[]string{"Given name", "Surname", "Mail", "Tel.", "Account"}, []string{fn, ln, em, ph, co}},
		{[]string{"Notes", "Contact", "e_mail"}, []string{ig, nm, em}},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.header, "|"), func(t *testing.T) {
			got := models.AutoMapping(c.header)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("AutoMapping(%q)\n got %q\nwant %q", c.header, got, c.want)
			}
			seen := map[string]bool{}
			for _, m := range got {
				if m != ig && seen[m] {
					t.Errorf("field %q mapped twice: %q", m, got)
				}
				seen[m] = true
			}
		})
	}
}

func TestMappingProblem(t *testing.T) {
	const ig = models.ColIgnore
	for _, c := range []struct {
		mapping []string
		want    string // in the message; "" for none
	}{
		{[]string{models.ColName, models.ColEmail}, ""},
		{[]string{models.ColFirstName, models.ColLastName, models.ColPhone}, ""},
		{[]string{ig, models.ColLastName, ig, models.ColEmail, ig}, ""},
		{[]string{models.ColName, models.ColCompany, models.ColEmail, models.ColPhone}, ""},
		{nil, "Person name"},
		{[]string{ig, ig}, "Person name"},
		{[]string{models.ColCompany, models.ColEmail}, "Person name"},
		{[]string{models.ColName, models.ColCompany}, "E-mail or Phone"},
		{[]string{models.ColName, models.ColName, models.ColEmail}, "same field"},
		{[]string{models.ColFirstName, models.ColEmail, models.ColPhone, models.ColEmail}, "same field"},
	} {
		got := models.MappingProblem(c.mapping)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("MappingProblem(%q) = %q, want %q", c.mapping, got, c.want)
		}
	}
}

func TestCheckImportFlagsInvalidRowsAndDuplicates(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	// Stored e-mails are normalized (lower case) by every form that writes them.
	known := models.Lead{PersonName: "Eve Known", Email: "eve@known.example", OwnerID: rep.ID}
	if err := models.CreateLead(gdb, &known, rep, impNow); err != nil {
		t.Fatal(err)
	}
	org := models.Organization{Name: "Phi", Type: "customer"}
	gdb.Create(&org)
	if err := gdb.Create(&models.Contact{OrganizationID: org.ID, FirstName: "Fay", LastName: "Fox", Email: "fay@contact.example"}).Error; err != nil {
		t.Fatal(err)
	}
	// Someone both a lead and a contact is reported as a lead.
	both := models.Lead{PersonName: "Bo Th", Email: "both@x.example", OwnerID: rep.ID}
	models.CreateLead(gdb, &both, rep, impNow)
	gdb.Create(&models.Contact{OrganizationID: org.ID, LastName: "Th", Email: "both@x.example"})

	long := strings.Repeat("é", 201)
	csv := "First name;Last name;Company;E-mail;Phone\n" +
		"Ann;Archer;Acme;ann@acme.example;\n" + // 2 valid
		";;Acme;x@acme.example;+1 555 0101\n" + // 3 no name
		"Bob;;Beta;not-an-email;\n" + // 4 bad e-mail
		"Cy;Cole;Gamma;;\n" + // 5 neither
		"Dee;Dunn;Delta; ANN@Acme.Example ;\n" + // 6 same as line 2
		"Eve;;Eps;EVE@known.example;\n" + // 7 already a lead
		"Fay;Fox;Phi;Fay@Contact.Example;\n" + // 8 already a contact
		"Gus;;;;+1 555 0199\n" + // 9 valid, phone only
		";Hill;;h@hill.example;\n" + // 10 valid, last name only
		"Ivy;;;ivy@localhost;\n" + // 11 no dot in the domain
		long + ";;;long@x.example;\n" + // 12 too long
		"Jo;Jones;;  jo@jones.example ;\n" + // 13 valid, trimmed
		"Kim\n" + // 14 short row: no e-mail, no phone
		"Lou;Lee;;Lou Lee <lou@lee.example>;\n" + // 15 not a bare address
		"Bo;Th;;both@x.example;\n" + // 16 lead and contact
		"Mo;;;ann@acme.example;\n" // 17 third time: refers to the first
	p := impParse(t, csv)
	mapping := models.AutoMapping(p.Header)
	if mp := models.MappingProblem(mapping); mp != "" {
		t.Fatalf("mapping %q: %s", mapping, mp)
	}
	rows, err := models.CheckImport(gdb, p, mapping)
	if err != nil {
		t.Fatal(err)
	}
	want := []models.ImportRow{
		{Line: 2, PersonName: "Ann Archer", CompanyName: "Acme", Email: "ann@acme.example"},
		{Line: 3, CompanyName: "Acme", Email: "x@acme.example", Phone: "+1 555 0101", Problem: "No person name."},
		{Line: 4, PersonName: "Bob", CompanyName: "Beta", Email: "not-an-email", Problem: "“not-an-email” is not an e-mail address."},
		{Line: 5, PersonName: "Cy Cole", CompanyName: "Gamma", Problem: "Neither an e-mail nor a phone number."},
		{Line: 6, PersonName: "Dee Dunn", CompanyName: "Delta", Email: "ann@acme.example", Problem: "Same e-mail as line 2.", Duplicate: true},
		{Line: 7, PersonName: "Eve", CompanyName: "Eps", Email: "eve@known.example", Problem: "Already a lead.", Duplicate: true},
		{Line: 8, PersonName: "Fay Fox", CompanyName: "Phi", Email: "fay@contact.example", Problem: "Already a contact.", Duplicate: true},
		{Line: 9, PersonName: "Gus", Phone: "+1 555 0199"},
		{Line: 10, PersonName: "Hill", Email: "h@hill.example"},
		{Line: 11, PersonName: "Ivy", Email: "ivy@localhost", Problem: "“ivy@localhost” is not an e-mail address."},
		{Line: 12, PersonName: long, Email: "long@x.example", Problem: "A value is too long."},
		{Line: 13, PersonName: "Jo Jones", Email: "jo@jones.example"},
		{Line: 14, PersonName: "Kim", Problem: "Neither an e-mail nor a phone number."},
		{Line: 15, PersonName: "Lou Lee", Email: "lou lee <lou@lee.example>", Problem: "“lou lee <lou@lee.example>” is not an e-mail address."},
		{Line: 16, PersonName: "Bo Th", Email: "both@x.example", Problem: "Already a lead.", Duplicate: true},
		{Line: 17, PersonName: "Mo", Email: "ann@acme.example", Problem: "Same e-mail as line 2.", Duplicate: true},
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d\n got %+v\nwant %+v", i, rows[i], want[i])
		}
	}
}

func TestCheckImportPrefersNameColumnOverFirstAndLast(t *testing.T) {
	gdb := openDB(t)
	p := impParse(t, "Name,First,Last,Phone\nAnn Archer,A,B,1\n,Ben,Baker,2\n")
	mapping := []string{models.ColName, models.ColFirstName, models.ColLastName, models.ColPhone}
	rows, err := models.CheckImport(gdb, p, mapping)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0].PersonName != "Ann Archer" || rows[1].PersonName != "Ben Baker" || rows[0].Problem != "" || rows[1].Problem != "" {
		t.Fatalf("rows %+v", rows)
	}
	// An ignored column is not read.
	rows, _ = models.CheckImport(gdb, p, []string{models.ColName, models.ColIgnore, models.ColIgnore, models.ColPhone})
	if rows[1].Problem != "No person name." {
		t.Fatalf("row without name with first/last ignored: %+v", rows[1])
	}
}

func TestCheckImportFindsKnownEmailsInEveryBatch(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	var b strings.Builder
	b.WriteString("Name,Email\n")
	const n = 1234
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "Person %d,Person%d@Batch.example\n", i, i)
	}
	knownAt := []int{0, 499, 500, 999, 1000, n - 1}
	for _, i := range knownAt {
		l := models.Lead{PersonName: "Known", Email: fmt.Sprintf("person%d@batch.example", i), OwnerID: rep.ID}
		if err := models.CreateLead(gdb, &l, rep, impNow); err != nil {
			t.Fatal(err)
		}
	}
	p := impParse(t, b.String())
	rows, err := models.CheckImport(gdb, p, []string{models.ColName, models.ColEmail})
	if err != nil {
		t.Fatal(err)
	}
	dups := 0
	for i, r := range rows {
		isKnown := false
		for _, k := range knownAt {
			isKnown = isKnown || k == i
		}
		if isKnown != r.Duplicate || isKnown != (r.Problem == "Already a lead.") {
			t.Errorf("row %d: duplicate %v problem %q, known %v", i, r.Duplicate, r.Problem, isKnown)
		}
		if r.Duplicate {
			dups++
		}
	}
	if dups != len(knownAt) {
		t.Errorf("%d duplicates, want %d", dups, len(knownAt))
	}
}

func TestCheckImportLineNumbersAreFileLines(t *testing.T) {
	gdb := openDB(t)
	p := impParse(t, "Name,Notes,Email\n\nAnn,,ann@x.example\n\nBen,\"two\nlines\",ben@x.example\nAnnie,,ANN@x.example\n")
	rows, err := models.CheckImport(gdb, p, []string{models.ColName, models.ColIgnore, models.ColEmail})
	if err != nil {
		t.Fatal(err)
	}
	if got := []int{rows[0].Line, rows[1].Line, rows[2].Line}; !reflect.DeepEqual(got, []int{3, 5, 7}) {
		t.Errorf("lines %v, want [3 5 7]", got)
	}
	if rows[2].Problem != "Same e-mail as line 3." {
		t.Errorf("duplicate problem %q, want “Same e-mail as line 3.”", rows[2].Problem)
	}
}

func TestImportLeadsStoresOnlyValidRows(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	camp := ltCampaign(t, gdb, "Expo", "trade_show", 0, rep)
	p := impParse(t, "Name,Company,Email,Phone\n"+
		"Ann Archer,Acme,ann@acme.example,\n"+
		"Ben Baker,,BEN@bakers.example,+1 555 0102\n"+
		",Nobody,x@x.example,\n"+
		"Annie,Acme,Ann@Acme.example,\n"+
		"Gus,,,+1 555 0199\n"+
		"Bad,,bad@,\n")
	rows, err := models.CheckImport(gdb, p, models.AutoMapping(p.Header))
	if err != nil {
		t.Fatal(err)
	}
	n, err := models.ImportLeads(gdb, rows, &camp.ID, rep, impNow)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("ImportLeads = %d, want 3", n)
	}
	var leads []models.Lead
	gdb.Order("id").Find(&leads)
	want := []struct{ name, company, email, phone string }{
		{"Ann Archer", "Acme", "ann@acme.example", ""},
		{"Ben Baker", "", "ben@bakers.example", "+1 555 0102"},
		{"Gus", "", "", "+1 555 0199"},
	}
	if len(leads) != len(want) {
		t.Fatalf("%d leads stored, want %d", len(leads), len(want))
	}
	for i, w := range want {
		l := leads[i]
		if l.PersonName != w.name || l.CompanyName != w.company || l.Email != w.email || l.Phone != w.phone {
			t.Errorf("lead %d = %q %q %q %q, want %v", i, l.PersonName, l.CompanyName, l.Email, l.Phone, w)
		}
		if l.Status != models.LeadNew || l.OwnerID != rep.ID || l.CampaignID == nil || *l.CampaignID != camp.ID ||
			!l.CreatedAt.Equal(impNow) || l.OpportunityID != nil {
			t.Errorf("lead %d: status %q owner %d campaign %v created %v", i, l.Status, l.OwnerID, l.CampaignID, l.CreatedAt)
		}
		es := ltEvents(t, gdb, l.ID)
		if len(es) != 1 || es[0].Field != "status" || es[0].OldValue != "" || !strings.HasPrefix(es[0].NewValue, "New") ||
			es[0].UserID == nil || *es[0].UserID != rep.ID || !es[0].CreatedAt.Equal(impNow) {
			t.Errorf("lead %d events %+v, want one creation event", i, es)
		}
	}
	if c := ltCount(t, gdb, &models.LeadEvent{}, ""); c != 3 {
		t.Errorf("%d lead events, want 3", c)
	}

	// Importing the same file again finds every e-mail already a lead.
	rows, _ = models.CheckImport(gdb, p, models.AutoMapping(p.Header))
	n, err = models.ImportLeads(gdb, rows, nil, rep, impNow)
	if err != nil || n != 1 { // only Gus, who has no e-mail
		t.Errorf("second import: %d, %v, want 1 (the phone-only row)", n, err)
	}
}

func TestImportLeadsWithNothingValidWritesNothing(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
	rows := []models.ImportRow{{Line: 2, PersonName: "X", Problem: "Neither an e-mail nor a phone number."}}
	for _, rs := range [][]models.ImportRow{nil, rows} {
		n, err := models.ImportLeads(gdb, rs, nil, rep, impNow)
		if n != 0 || err != nil {
			t.Fatalf("ImportLeads = %d, %v", n, err)
		}
	}
	if c := ltCount(t, gdb, &models.Lead{}, ""); c != 0 {
		t.Fatalf("%d leads", c)
	}
}

// A failure anywhere, even in the last batch or in the history, leaves no lead behind.
func TestImportLeadsIsOneTransaction(t *testing.T) {
	for _, c := range []struct{ name, table, cond string }{
		{"a lead in a later batch fails", "leads", "NEW.person_name = 'Person 1100'"},
		{"the history fails", "lead_events", "NEW.new_value LIKE 'New%'"},
	} {
		t.Run(c.name, func(t *testing.T) {
			gdb := openDB(t)
			rep := mkUser(t, gdb, "rep@example.com", models.RoleRep)
			dbtest.Refuse(t, gdb, "boom", "INSERT", c.table, c.cond)
			rows := make([]models.ImportRow, 1200)
			for i := range rows {
				rows[i] = models.ImportRow{Line: i + 2, PersonName: fmt.Sprintf("Person %d", i), Email: fmt.Sprintf("p%d@x.example", i)}
			}
			if _, err := models.ImportLeads(gdb, rows, nil, rep, impNow); err == nil || !strings.Contains(err.Error(), "refused by the test") {
				t.Fatalf("err = %v, want the trigger's error", err)
			}
			if n := ltCount(t, gdb, &models.Lead{}, ""); n != 0 {
				t.Errorf("%d leads stored by a failed import", n)
			}
			if n := ltCount(t, gdb, &models.LeadEvent{}, ""); n != 0 {
				t.Errorf("%d lead events stored by a failed import", n)
			}
		})
	}
}

// impCSV10k is a realistic 10,000-row export: names, companies, unique e-mails, phones, a notes column.
func impCSV10k() []byte {
	firsts := []string{"Ann", "Ben", "Chloé", "David", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kara", "Liam", "Mia",
		"Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Xavier", "Yara", "Zoë"}
	lasts := []string{"Archer", "Baker", "Costa", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ivanova", "Jensen", "Khan",
		"Larsen", "Müller", "Nakamura", "O'Brien", "Petrov", "Quist", "Rossi", "Schmidt", "Tanaka", "Ueda", "Vogel", "Weber",
		"Xu", "Young", "Zimmermann"}
	companies := []string{"Northwind Traders", "Contoso Ltd", "Fabrikam, Inc.", "Adventure Works", "Tailspin Toys",
		"Wide World Importers", "Litware", "Proseware", "Lucerne Publishing", "Margie's Travel", "Blue Yonder Airlines",
		"Coho Winery", "Alpine Ski House", "Fourth Coffee", "Graphic Design Institute", "Humongous Insurance"}
	var b bytes.Buffer
	b.WriteString("\xef\xbb\xbfFirst Name,Last Name,Company,Email Address,Phone,Job title,Notes\r\n")
	for i := 0; i < 10000; i++ {
		f, l, c := firsts[i%len(firsts)], lasts[(i/len(firsts))%len(lasts)], companies[(i*7)%len(companies)]
		domain := strings.ToLower(strings.NewReplacer(" ", "", ",", "", ".", "", "'", "").Replace(c)) + ".example"
		local := strings.ToLower(strings.NewReplacer("é", "e", "í", "i", "ü", "ue", "ë", "e", "'", "").Replace(f + "." + l))
		fmt.Fprintf(&b, "%s,%s,\"%s\",%s%d@%s,+1 555 %04d,Head of IT,\"Visited booth, asked for a demo\"\r\n",
			f, l, c, local, i, domain, i)
	}
	return b.Bytes()
}

func BenchmarkImport10k(b *testing.B) {
	data := impCSV10k()
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		gdb, rep := impBenchDB(b)
		b.StartTimer()

		p, err := models.ParseLeadCSV(data)
		if err != nil {
			b.Fatal(err)
		}
		mapping := models.AutoMapping(p.Header)
		rows, err := models.CheckImport(gdb, p, mapping)
		if err != nil {
			b.Fatal(err)
		}
		n, err := models.ImportLeads(gdb, rows, nil, rep, impNow)
		if err != nil {
			b.Fatal(err)
		}

		b.StopTimer()
		if n != 10000 {
			b.Fatalf("imported %d of 10000 rows (mapping %q)", n, mapping)
		}
		if s, err := gdb.DB(); err == nil {
			s.Close()
		}
		b.StartTimer()
	}
}

func impBenchDB(b *testing.B) (*gorm.DB, *models.User) {
	b.Helper()
	gdb := dbtest.Open(b)
	rep := &models.User{Email: "rep@example.com", Name: "Riley Rep", Role: models.RoleRep, PasswordHash: "x", Active: true, SessionVersion: 1}
	if err := gdb.Create(rep).Error; err != nil {
		b.Fatal(err)
	}
	return gdb, rep
}
