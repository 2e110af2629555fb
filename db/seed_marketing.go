package db

import (
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
)

// seedMarketing reproduces the seed's funnel exactly: a trade show brings 147
// leads; qualification calls leave 63 solid leads; 32 of them have a need, a
// fitting solution, a timeframe and a budget and become opportunities; 18 of
// those are lost and 14 won. A smaller webinar campaign sits beside it.
func seedMarketing(tx *gorm.DB, users []models.User, now time.Time) error {
	rng := rand.New(rand.NewPCG(147, 63)) // #nosec G404 -- demo data is reproducible on purpose; nothing secret is drawn from it
	manager, reps := users[1], []models.User{users[2], users[3]}
	start := models.DateOnly(now.AddDate(0, -4, 0))
	end := start.AddDate(0, 0, 2)
	show := models.Campaign{Name: "IT Expo 2026 trade show", Type: "trade_show", StartDate: &start, EndDate: &end, Cost: 2400000,
		OwnerID: manager.ID, Description: "Booth 42 at the regional IT Expo: live demos of managed security and backup."}
	wstart := models.DateOnly(now.AddDate(0, -1, 0))
	webinar := models.Campaign{Name: "Webinar: cloud security for clinics", Type: "webinar", StartDate: &wstart, EndDate: &wstart, Cost: 350000,
		OwnerID: users[2].ID, Description: "One-hour webinar for healthcare practices on securing Microsoft 365."}
	for _, c := range []*models.Campaign{&show, &webinar} {
		if err := tx.Create(c).Error; err != nil {
			return err
		}
	}
	lost, won := 0, 0
	for i := 0; i < 147; i++ {
		owner := reps[i%2]
		at := start.Add(time.Duration(24+i%48) * time.Hour)
		l := demoLead(i, &show, owner)
		switch {
		case i < 32: // converted: all four criteria
			l.Need, l.Solution, l.Timeframe, l.Budget = true, true, true, true
			l.NeedNote, l.BudgetNote = "Ageing servers, two sites", "Approved for next quarter"
		case i < 63: // solid leads, not (yet) opportunities
			l.Need, l.Solution = true, i%3 != 0
			l.Timeframe = i%2 == 0
		}
		if err := models.CreateLead(tx, &l, &owner, at); err != nil {
			return err
		}
		at = at.Add(72 * time.Hour)
		switch {
		case i < 63:
			if err := models.SetLeadStatus(tx, &l, models.LeadQualified, "", &owner, at); err != nil {
				return err
			}
		case i < 113:
			if err := models.SetLeadStatus(tx, &l, models.LeadDisqualified, disqualifyReasons[i%len(disqualifyReasons)], &owner, at); err != nil {
				return err
			}
		}
		if i >= 32 {
			continue
		}
		at = at.Add(time.Duration(5+rng.IntN(10)) * 24 * time.Hour)
		opp, err := models.ConvertLead(tx, l.ID, &owner, at)
		if err != nil {
			return err
		}
		// The seed: each of the 32 opportunities is given a quote.
		at = at.Add(48 * time.Hour)
		quote, err := demoQuote(tx, rng, opp, &owner, at, true)
		if err != nil {
			return err
		}
		if err := tx.First(opp, opp.ID).Error; err != nil {
			return err
		}
		closed := at.Add(time.Duration(10+rng.IntN(30)) * 24 * time.Hour)
		if closed.After(now) {
			closed = now.Add(-time.Hour)
		}
		in := models.OutcomeInput{Date: models.DateOnly(closed)}
		if i%16 < 9 && lost < 18 || won >= 14 { // 18 lost: lost funding or a competitor's better quote
			in.ReasonID, err = reasonID(tx, models.LossReasons, []string{"Lost funding", "Competitor's better quote"}[i%2])
			if err != nil {
				return err
			}
			in.Detail = []string{"Their budget was frozen for the year.", "A national MSP came in 15% cheaper."}[i%2]
			err = models.MarkLost(tx, opp, opp.Version, in, &owner, closed)
			lost++
		} else {
			in.ReasonID, err = reasonID(tx, models.WinReasons, "Technical fit")
			if err != nil {
				return err
			}
			in.Detail = "Chose us after the on-site demo."
			err = models.WinFromQuote(tx, quote, in, &owner, closed) // the 14 are won through "Won quote"
			won++
		}
		if err != nil {
			return err
		}
	}
	if lost != 18 || won != 14 {
		return fmt.Errorf("demo funnel: %d lost, %d won; want 18 and 14", lost, won)
	}
	for i := 0; i < 24; i++ {
		owner := users[2]
		at := wstart.Add(time.Duration(2+i) * time.Hour)
		l := demoLead(200+i, &webinar, owner)
		if i < 9 {
			l.Need, l.Solution, l.Timeframe, l.Budget = true, true, i < 3, i < 3
		}
		if err := models.CreateLead(tx, &l, &owner, at); err != nil {
			return err
		}
		if i < 9 {
			if err := models.SetLeadStatus(tx, &l, models.LeadQualified, "", &owner, at.Add(24*time.Hour)); err != nil {
				return err
			}
		}
		if i < 3 {
			if _, err := models.ConvertLead(tx, l.ID, &owner, at.Add(72*time.Hour)); err != nil {
				return err
			}
		}
	}
	return nil
}

var disqualifyReasons = []string{"No budget this year", "Student, not a buyer", "Already under contract until 2028", "Outside our service area", "Wrong contact; left the company"}

var (
	leadFirst   = []string{"Ava", "Ben", "Carla", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonah", "Kira", "Luis", "Maya", "Nils", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wes", "Yara", "Zoe"}
	leadLast    = []string{"Adams", "Becker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ivanova", "Jensen", "Kowalski", "Lopez", "Murphy", "Nakamura", "Olsen", "Patel", "Quinn", "Rossi", "Schmidt", "Tanaka"}
	leadCompany = []string{"Harbor Dental", "Pinecrest Law", "Summit Logistics", "Riverbend Clinic", "Oakridge Accounting", "Bluewater Hotels", "Granite Engineering", "Meadow Schools", "Copperline Retail", "Lakeside Vets",
		"Northgate Insurance", "Silverleaf Architects", "Redwood Manufacturing", "Brightpath Charity", "Ironbridge Freight", "Maple Street Pharmacy", "Cedar Point Realty", "Foxglove Labs", "Westfield Motors", "Starling Media"}
)

func demoLead(i int, c *models.Campaign, owner models.User) models.Lead {
	first, last := leadFirst[i%len(leadFirst)], leadLast[(i*7)%len(leadLast)]
	company := fmt.Sprintf("%s %d", leadCompany[(i*3)%len(leadCompany)], 1+i/len(leadCompany))
	if i/len(leadCompany) == 0 {
		company = leadCompany[(i*3)%len(leadCompany)]
	}
	return models.Lead{CampaignID: &c.ID, PersonName: first + " " + last, CompanyName: company,
		Email: fmt.Sprintf("%s.%s%d@%s.example", lower(first), lower(last), i, lower(company)), Phone: fmt.Sprintf("+1 555 %04d", 1000+i),
		OwnerID: owner.ID}
}

func reasonID(tx *gorm.DB, kind models.PicklistKind, name string) (uint, error) {
	var v models.PicklistValue
	err := tx.Where("kind = ? AND name = ?", kind, name).First(&v).Error
	return v.ID, err
}
