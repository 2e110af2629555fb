package models_test

import (
	"errors"
	"reflect"
	"testing"

	"gorm.io/gorm"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// LoadOpportunityShown reads every column of the opportunity as LoadOpportunity
// does, and of the relations the ids and names the page shows.
func TestLoadOpportunityShownMatchesLoadOpportunity(t *testing.T) {
	gdb := dbtest.OpenDemo(t)
	var ids []uint
	if err := gdb.Table("opportunities").Order("id").Pluck("id", &ids).Error; err != nil || len(ids) == 0 {
		t.Fatalf("no demo opportunities (%v)", err)
	}
	// Every relation set on at least one opportunity: lost ones have a loss reason and competitor.
	seen := map[string]bool{}
	for _, id := range ids {
		full, err := models.LoadOpportunity(gdb, id)
		if err != nil {
			t.Fatal(err)
		}
		got, err := models.LoadOpportunityShown(gdb, id)
		if err != nil {
			t.Fatal(err)
		}
		name := func(p *models.PicklistValue) string {
			if p == nil {
				return "<nil>"
			}
			seen["picklist"] = true
			return p.Name
		}
		type shown struct{ Org, Contact, Owner, Stage, LeadSource, Competitor, Category, Win, Loss, Campaign string }
		names := func(o *models.Opportunity) shown {
			s := shown{Org: o.Organization.Name, Owner: o.Owner.Name, Stage: o.Stage.Name, LeadSource: name(o.LeadSource),
				Competitor: name(o.Competitor), Category: name(o.Category), Win: name(o.WinReason), Loss: name(o.LossReason), Contact: "<nil>", Campaign: "<nil>"}
			if o.Contact != nil {
				s.Contact = o.Contact.FullName()
				seen["contact"] = true
			}
			if o.Campaign != nil {
				s.Campaign = o.Campaign.Name
				seen["campaign"] = true
			}
			return s
		}
		if a, b := names(got), names(full); a != b {
			t.Errorf("opportunity %d: relations %+v, LoadOpportunity's %+v", id, a, b)
		}
		if got.Organization.ID != full.Organization.ID || got.Owner.ID != full.Owner.ID || got.Stage.ID != full.Stage.ID {
			t.Errorf("opportunity %d: relation ids differ", id)
		}
		g, f := *got, *full
		g.Organization, g.Contact, g.Owner, g.Stage, g.LeadSource, g.Competitor, g.Category, g.WinReason, g.LossReason, g.Campaign = nil, nil, nil, nil, nil, nil, nil, nil, nil, nil
		f.Organization, f.Contact, f.Owner, f.Stage, f.LeadSource, f.Competitor, f.Category, f.WinReason, f.LossReason, f.Campaign = nil, nil, nil, nil, nil, nil, nil, nil, nil, nil
		if !reflect.DeepEqual(g, f) {
			t.Errorf("opportunity %d:\n got %+v\nwant %+v", id, g, f)
		}
	}
	if !seen["contact"] || !seen["picklist"] {
		t.Errorf("the demo data no longer covers contacts and picklist values: %v", seen)
	}
	if _, err := models.LoadOpportunityShown(gdb, 1<<40); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Errorf("an unknown id: %v, want gorm.ErrRecordNotFound", err)
	}
}
