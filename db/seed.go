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
	err = gdb.Transaction(func(tx *gorm.DB) error {
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
		return seedSales(tx, users, now)
	})
	return err == nil, err
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
	rng := rand.New(rand.NewPCG(2026, 11))
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
			contactID := contacts[j%len(contacts)].ID
			o := models.Opportunity{
				Title: deal.title, OrganizationID: org.ID, ContactID: &contactID, OwnerID: owner.ID,
				StageID: stage.ID, Status: status, Probability: stage.DefaultProbability,
				Rating: models.Ratings[rng.IntN(len(models.Ratings))], ProjectedCloseDate: closeDate,
				Revenue:     models.Amounts{OneTime: deal.onetime, Monthly: deal.monthly},
				Cost:        models.Amounts{OneTime: deal.onetime * 62 / 100, Monthly: deal.monthly * 55 / 100},
				Description: "Scope agreed on the discovery call; see the requirements document shared by the customer.",
				Need:        true, Solution: stage.Position >= 2, Timeframe: stage.Position >= 3, Budget: stage.Position >= 3,
				Version: 1,
			}
			if err := tx.Create(&o).Error; err != nil {
				return err
			}
		}
	}
	return nil
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
