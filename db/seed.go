package db

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// DemoPassword is the password of every demo user, shown on the sign-in page
// while a demo user still has it.
const DemoPassword = "salesdesk"

// DemoUsers are the accounts the demo database starts with.
var DemoUsers = []models.User{
	{Email: "admin@example.com", Name: "Alex Admin", Role: models.RoleAdmin},
	{Email: "manager@example.com", Name: "Morgan Manager", Role: models.RoleManager},
	{Email: "rep@example.com", Name: "Riley Rep", Role: models.RoleRep},
	{Email: "rep2@example.com", Name: "Sam Seller", Role: models.RoleRep},
}

// HasUsers tells a database someone already uses from an empty one.
func HasUsers(gdb *gorm.DB) (bool, error) {
	var n int64
	err := gdb.Model(&models.User{}).Count(&n).Error
	return n > 0, err
}

// SeedDemo fills an empty database with demo data. It never touches a database
// that has users, so it is safe to run on every start.
func SeedDemo(gdb *gorm.DB, now time.Time) (bool, error) {
	has, err := HasUsers(gdb)
	if err != nil || has {
		return false, err
	}
	hash, err := models.HashPassword(DemoPassword)
	if err != nil {
		return false, err
	}
	seeded := false
	err = withSetupLock(gdb, func(conn *gorm.DB) error {
		return conn.Transaction(func(tx *gorm.DB) error {
			// Another instance starting at the same time may have seeded meanwhile.
			if has, err := HasUsers(tx); err != nil || has {
				return err
			}
			seeded = true
			return seedDemo(tx, hash, now)
		})
	})
	return seeded && err == nil, err
}

func seedDemo(tx *gorm.DB, hash string, now time.Time) error {
	users := make([]models.User, len(DemoUsers))
	for i, u := range DemoUsers {
		u.PasswordHash, u.DemoPassword, u.Active, u.SessionVersion = hash, true, true, 1
		users[i] = u
	}
	if err := tx.Create(&users).Error; err != nil {
		return err
	}
	admin := &users[0]
	for _, d := range models.FeatureDefs {
		if d.Key == models.FeatureQuoteManager {
			continue
		}
		if _, err := models.SetFeature(tx, d.Key, true, admin, now); err != nil {
			return err
		}
	}
	if err := SeedCatalog(tx); err != nil {
		return err
	}
	if err := seedSales(tx, users, now); err != nil {
		return err
	}
	if err := seedMarketing(tx, users, now); err != nil {
		return err
	}
	return seedSalesOrders(tx, now)
}

type demoOrg struct {
	name, typ, city, country, phone, web string
	contacts                             [][3]string // first, last, title
}

var demoOrgs = []demoOrg{
	{"Northwind Traders", "customer", "Seattle", "United States", "+1 206 555 0101", "northwind.example", [][3]string{{"Nancy", "Davolio", "IT Director"}, {"Andrew", "Fuller", "CFO"}}},
	{"Contoso Dental Group", "customer", "Denver", "United States", "+1 303 555 0142", "contosodental.example", [][3]string{{"Maria", "Anders", "Practice Manager"}, {"Tom", "Lee", "Office Administrator"}}},
	{"Fabrikam Logistics", "prospect", "Rotterdam", "Netherlands", "+31 10 555 0199", "fabrikam.example", [][3]string{{"Jan", "de Vries", "Head of Operations"}}},
	{"Tailspin Aviation", "customer", "Toulouse", "France", "+33 5 55 01 23 45", "tailspin.example", [][3]string{{"Élodie", "Marchand", "CIO"}, {"Hugo", "Bernard", "Network Lead"}}},
	{"Adventure Works Cycles", "prospect", "Portland", "United States", "+1 503 555 0177", "adventure-works.example", [][3]string{{"Kim", "Abercrombie", "COO"}}},
	{"Litware Law Partners", "lead", "Boston", "United States", "+1 617 555 0123", "litware.example", [][3]string{{"Olivia", "Grant", "Managing Partner"}, {"Raj", "Patel", "IT Coordinator"}}},
	{"Wingtip Toys", "customer", "Manchester", "United Kingdom", "+44 161 555 0188", "wingtiptoys.example", [][3]string{{"Harriet", "Cole", "Finance Director"}}},
	{"Proseware Clinics", "prospect", "Toronto", "Canada", "+1 416 555 0166", "proseware.example", [][3]string{{"Daniel", "Roy", "Operations Manager"}, {"Chloé", "Tremblay", "Compliance Officer"}}},
	{"Blue Yonder Airlines", "customer", "Dublin", "Ireland", "+353 1 555 0144", "blueyonder.example", [][3]string{{"Siobhan", "Kelly", "VP Technology"}}},
	{"Coho Winery", "lead", "Napa", "United States", "+1 707 555 0111", "cohowinery.example", [][3]string{{"Lucas", "Moreno", "Owner"}}},
	{"Trey Research", "prospect", "Munich", "Germany", "+49 89 555 0133", "treyresearch.example", [][3]string{{"Jonas", "Weber", "Lab IT Manager"}, {"Lena", "Fischer", "Procurement"}}},
	{"Lamna Healthcare", "customer", "Sydney", "Australia", "+61 2 5550 0155", "lamna.example", [][3]string{{"Grace", "Nguyen", "CTO"}, {"Oliver", "Smith", "Service Desk Lead"}}},
}

var demoDeals = []struct {
	title            string
	onetime, monthly models.Money
}{
	{"Microsoft 365 migration", 1850000, 0},
	{"Managed services agreement", 0, 420000},
	{"Firewall replacement", 960000, 15000},
	{"Backup and disaster recovery", 450000, 89000},
	{"Network refresh, 3 sites", 4200000, 0},
	{"Help desk, 24x7", 0, 650000},
	{"Laptop fleet renewal (40 units)", 5600000, 0},
	{"Security awareness training", 320000, 25000},
	{"VoIP telephony rollout", 1275000, 48000},
	{"Azure landing zone", 2200000, 120000},
	{"Endpoint detection and response", 180000, 96000},
	{"Wi-Fi survey and upgrade", 780000, 0},
	{"Server room consolidation", 3150000, 0},
	{"Compliance audit (ISO 27001)", 1400000, 0},
}

// seedSales creates organizations, contacts and about forty opportunities
// spread over owners, stages and statuses, with close dates around today.
func seedSales(tx *gorm.DB, users []models.User, now time.Time) error {
	rng := rand.New(rand.NewPCG(2026, 11)) // #nosec G404 -- demo data is reproducible on purpose; nothing secret is drawn from it
	var stages []models.Stage
	if err := tx.Order("position").Find(&stages).Error; err != nil {
		return err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	reps := []models.User{users[2], users[3], users[1]}
	for i, d := range demoOrgs {
		owner := reps[i%len(reps)]
		org := models.Organization{Name: d.name, Type: models.OrgType(d.typ), City: d.city, Country: d.country,
			Phone: d.phone, Website: "https://www." + d.web, Address: fmt.Sprintf("%d Market Street", 10+i*7), PostalCode: fmt.Sprintf("%05d", 10000+i*731),
			OwnerID: &owner.ID}
		if err := tx.Create(&org).Error; err != nil {
			return err
		}
		var contacts []models.Contact
		for _, c := range d.contacts {
			contacts = append(contacts, models.Contact{OrganizationID: org.ID, FirstName: c[0], LastName: c[1], Title: c[2],
				Email: fmt.Sprintf("%s.%s@%s", lower(c[0]), lower(c[1]), d.web), Phone: d.phone})
		}
		if err := tx.Create(&contacts).Error; err != nil {
			return err
		}
		if d.typ == "dead" || d.typ == "vendor" {
			continue
		}
		deals := 3 + i%2 // 3 or 4 per organization: 42 in all
		for j := 0; j < deals; j++ {
			deal := demoDeals[(i*3+j*5)%len(demoDeals)]
			stage := stages[rng.IntN(4)]
			status := models.StatusActive
			switch r := rng.IntN(10); {
			case r < 2:
				stage, status = stages[4], models.StatusClosed
			case r < 4:
				stage, status = stages[5], models.StatusLost
			case r < 5:
				status = models.StatusNotReady
			}
			closeDate := today.AddDate(0, 0, rng.IntN(150)-30)
			if !status.Open() {
				closeDate = today.AddDate(0, 0, -rng.IntN(90)-1)
			}
			owner := reps[(i+j)%len(reps)]
			if err := seedOpportunity(tx, rng, demoOpp{
				title: deal.title, org: org.ID, contact: contacts[j%len(contacts)].ID, owner: &owner,
				target: stage, status: status, closeDate: closeDate, onetime: deal.onetime, monthly: deal.monthly,
			}, stages, users[1], now); err != nil {
				return err
			}
		}
	}
	return nil
}

type demoOpp struct {
	title            string
	org, contact     uint
	owner            *models.User
	target           models.Stage
	status           models.OppStatus
	closeDate        time.Time
	onetime, monthly models.Money
}

var demoNotes = []struct {
	kind models.NoteKind
	body string
}{
	{"call", "Discovery call: current setup is end of life; they want a fixed monthly price."},
	{"meeting", "On-site walk-through with the IT lead. Two sites, about 40 seats."},
	{"email", "Sent the requirements summary and asked for their budget range."},
	{"call", "Follow-up: decision expected after their board meeting."},
	{"other", "Met their CFO at the trade show; good rapport."},
}

var demoTodos = []string{"Send the proposal", "Book a demo", "Confirm the budget with finance", "Call back about the timeline", "Prepare the site survey"}

// seedOpportunity walks one demo opportunity through its life: created weeks ago
// in the first stage, moved stage by stage, won or lost, with notes and to-dos,
// so its history, time in stage and activity feed look like real use.
func seedOpportunity(tx *gorm.DB, rng *rand.Rand, d demoOpp, stages []models.Stage, manager models.User, now time.Time) error {
	cats, err := models.Picklist(tx, models.Categories, false, nil)
	if err != nil {
		return err
	}
	sources, err := models.Picklist(tx, models.LeadSources, false, nil)
	if err != nil {
		return err
	}
	created := now.AddDate(0, 0, -20-rng.IntN(100)).Truncate(time.Hour)
	contact := d.contact
	cat, src := cats[rng.IntN(len(cats))].ID, sources[rng.IntN(len(sources))].ID
	o := models.Opportunity{
		Title: d.title, OrganizationID: d.org, ContactID: &contact, OwnerID: d.owner.ID, StageID: stages[0].ID,
		Status: models.StatusActive, Rating: models.Ratings[rng.IntN(len(models.Ratings))], ProjectedCloseDate: d.closeDate,
		Revenue:     models.Amounts{OneTime: d.onetime, Monthly: d.monthly},
		Cost:        models.Amounts{OneTime: d.onetime * 62 / 100, Monthly: d.monthly * 55 / 100},
		Description: "Scope agreed on the discovery call; see the requirements document shared by the customer.",
		CategoryID:  &cat, LeadSourceID: &src, Need: true, NextStep: "Agree the scope and send a proposal",
		CreatedAt: created,
	}
	if err := models.CreateOpportunity(tx, &o, d.owner, created); err != nil {
		return err
	}
	at := created
	step := func() time.Time {
		at = at.Add(time.Duration(24*(2+rng.IntN(9))) * time.Hour)
		if at.After(now) {
			at = now.Add(-time.Hour)
		}
		return at
	}
	last := d.target.Position
	if d.target.IsWon || d.target.IsLost {
		last = 1 + rng.IntN(4)
	}
	for _, st := range stages[1:] {
		if st.Position > last || st.IsWon || st.IsLost {
			break
		}
		o.StageID = st.ID
		o.Solution, o.Timeframe, o.Budget = st.Position >= 2, st.Position >= 3, st.Position >= 3
		if _, err := models.SaveOpportunity(tx, &o, o.Version, d.owner, step()); err != nil {
			return err
		}
	}
	if d.status == models.StatusNotReady {
		o.Status = models.StatusNotReady
		o.NextStep = "Check back next quarter"
		if _, err := models.SaveOpportunity(tx, &o, o.Version, d.owner, step()); err != nil {
			return err
		}
	}
	for k := 0; k < 1+rng.IntN(2); k++ {
		n := demoNotes[rng.IntN(len(demoNotes))]
		if err := tx.Create(&models.Note{OpportunityID: o.ID, UserID: d.owner.ID, Kind: n.kind, Body: n.body, CreatedAt: step()}).Error; err != nil {
			return err
		}
	}
	// Every opportunity past qualification has a quote.
	var quote *models.Quote
	if last >= 2 || d.status == models.StatusClosed || d.status == models.StatusLost {
		q, err := demoQuote(tx, rng, &o, d.owner, step(), true)
		if err != nil {
			return err
		}
		quote = q
		if err := tx.First(&o, o.ID).Error; err != nil {
			return err
		}
	}
	switch d.status {
	case models.StatusClosed, models.StatusLost:
		kind := models.WinReasons
		if d.status == models.StatusLost {
			kind = models.LossReasons
		}
		reasons, err := models.Picklist(tx, kind, false, nil)
		if err != nil {
			return err
		}
		in := models.OutcomeInput{ReasonID: reasons[rng.IntN(len(reasons))].ID, Date: d.closeDate, Detail: "Decided in the last review meeting."}
		if d.status == models.StatusClosed {
			return models.WinFromQuote(tx, quote, in, d.owner, step())
		}
		comps, err := models.Picklist(tx, models.Competitors, false, nil)
		if err != nil {
			return err
		}
		in.CompetitorID = &comps[rng.IntN(len(comps))].ID
		return models.MarkLost(tx, &o, o.Version, in, d.owner, step())
	}
	due := now.AddDate(0, 0, rng.IntN(21)-7)
	due = time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	return tx.Create(&models.Todo{OpportunityID: o.ID, Title: demoTodos[rng.IntN(len(demoTodos))], DueDate: &due,
		AssigneeID: d.owner.ID, CreatedByID: manager.ID, CreatedAt: step()}).Error
}

func lower(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			out = append(out, r+32)
		case r == ' ':
		case r == 'É' || r == 'é':
			out = append(out, 'e')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}
