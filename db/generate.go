package db

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// GenOptions says how much data Generate adds.
type GenOptions struct {
	Opportunities int
	Seed          uint64
}

// Generate adds believable bulk data for benchmarks and load tests: one
// organization with a contact per ten opportunities, and opportunities spread
// over the existing active users, stages, statuses and two years of close
// dates, each with its "created" and "stage" history. It writes in batches in
// one transaction per batch, so a million rows take a minute, not an hour.
func Generate(gdb *gorm.DB, o GenOptions, now time.Time) error {
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	users, err := models.ActiveUsers(gdb)
	if err != nil || len(users) == 0 {
		return fmt.Errorf("generate needs users (start once with demo data first): %v", err)
	}
	var stages []models.Stage
	if err := gdb.Order("position").Find(&stages).Error; err != nil || len(stages) == 0 {
		return fmt.Errorf("no stages: %v", err)
	}
	cats, err := models.Picklist(gdb, models.Categories, false, nil)
	if err != nil {
		return err
	}
	nOrgs := max(o.Opportunities/10, 1)
	const batch = 1000
	orgIDs := make([]uint, 0, nOrgs)
	contactIDs := make([]uint, 0, nOrgs)
	for start := 0; start < nOrgs; start += batch {
		n := min(batch, nOrgs-start)
		orgs := make([]models.Organization, n)
		for i := range orgs {
			k := start + i
			orgs[i] = models.Organization{Name: fmt.Sprintf("%s %s %d", genFirst[k%len(genFirst)], genSecond[(k/len(genFirst))%len(genSecond)], k),
				Type: models.OrgTypes[k%4], City: genCities[k%len(genCities)], Country: "United States", OwnerID: &users[k%len(users)].ID}
		}
		err := gdb.Transaction(func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(&orgs, 250).Error; err != nil {
				return err
			}
			contacts := make([]models.Contact, n)
			for i, org := range orgs {
				orgIDs = append(orgIDs, org.ID)
				contacts[i] = models.Contact{OrganizationID: org.ID, FirstName: genPeople[i%len(genPeople)], LastName: "Contact", Title: "IT Manager"}
			}
			if err := tx.CreateInBatches(&contacts, 250).Error; err != nil {
				return err
			}
			for _, ct := range contacts {
				contactIDs = append(contactIDs, ct.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for start := 0; start < o.Opportunities; start += batch {
		n := min(batch, o.Opportunities-start)
		opps := make([]models.Opportunity, n)
		for i := range opps {
			k := rng.IntN(len(orgIDs))
			st := stages[rng.IntN(len(stages))]
			status := models.StatusActive
			switch {
			case st.IsWon:
				status = models.StatusClosed
			case st.IsLost:
				status = models.StatusLost
			case rng.IntN(10) == 0:
				status = models.StatusNotReady
			}
			created := now.AddDate(0, 0, -rng.IntN(540)).Truncate(time.Second)
			cat := cats[rng.IntN(len(cats))].ID
			contact := contactIDs[k]
			oneTime := models.Money(rng.IntN(5000)) * 10000
			monthly := models.Money(rng.IntN(20)) * 25000
			opps[i] = models.Opportunity{
				Title: genDeals[rng.IntN(len(genDeals))], OrganizationID: orgIDs[k], ContactID: &contact,
				OwnerID: users[rng.IntN(len(users))].ID, StageID: st.ID, Status: status, Probability: st.DefaultProbability,
				Rating:             models.Ratings[rng.IntN(3)],
				ProjectedCloseDate: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(720)-360),
				Revenue:            models.Amounts{OneTime: oneTime, Monthly: monthly},
				Cost:               models.Amounts{OneTime: oneTime * 6 / 10, Monthly: monthly / 2},
				CategoryID:         &cat, Need: true, Solution: rng.IntN(2) == 0, Timeframe: rng.IntN(2) == 0, Budget: rng.IntN(2) == 0,
				StageChangedAt: &created, Version: 1, CreatedAt: created, UpdatedAt: created,
			}
		}
		err := gdb.Transaction(func(tx *gorm.DB) error {
			if err := tx.CreateInBatches(&opps, 200).Error; err != nil {
				return err
			}
			hist := make([]models.HistoryEntry, 0, 2*n)
			for _, op := range opps {
				ref := int64(op.StageID)
				owner := op.OwnerID
				hist = append(hist,
					models.HistoryEntry{OpportunityID: op.ID, Version: 1, UserID: &owner, Field: "created", NewValue: op.Title, CreatedAt: op.CreatedAt},
					models.HistoryEntry{OpportunityID: op.ID, Version: 1, UserID: &owner, Field: "stage", NewValue: stageName(stages, op.StageID), NewRef: &ref, CreatedAt: op.CreatedAt})
			}
			return tx.CreateInBatches(&hist, 300).Error
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func stageName(stages []models.Stage, id uint) string {
	for _, s := range stages {
		if s.ID == id {
			return s.Name
		}
	}
	return ""
}

var (
	genFirst  = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Hooli", "Vandelay", "Soylent", "Cyberdyne", "Tyrell", "Aperture", "Massive", "Oscorp", "Pied Piper"}
	genSecond = []string{"Dental", "Logistics", "Law", "Clinics", "Manufacturing", "Retail", "Partners", "Holdings", "Foods", "Labs", "Engineering", "Hotels"}
	genCities = []string{"Seattle", "Denver", "Austin", "Boston", "Chicago", "Atlanta", "Phoenix", "Portland", "Miami", "Dallas"}
	genPeople = []string{"Alex", "Jordan", "Taylor", "Casey", "Morgan", "Riley", "Jamie", "Avery", "Quinn", "Drew"}
	genDeals  = []string{"Managed services agreement", "Microsoft 365 migration", "Firewall replacement", "Backup and disaster recovery",
		"Network refresh", "Help desk, 24x7", "Laptop fleet renewal", "Security awareness training", "VoIP telephony rollout",
		"Azure landing zone", "Endpoint detection and response", "Wi-Fi upgrade", "Server consolidation", "Compliance audit"}
)
