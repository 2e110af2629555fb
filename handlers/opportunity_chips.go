package handlers

import (
	"net/url"
	"time"

	"gorm.io/gorm"

	"salesdesk/models"
	"salesdesk/views"
)

// drillDownChips names the filters a report's drill-down link sets on the
// list or the board without a field of their own (campaign, quoted, without
// a lead, created from/to), so the user sees why the list is short; each
// chip's link is the same page without that filter. The filter form carries
// them on as hidden fields.
func drillDownChips(db *gorm.DB, action string, q url.Values, f models.OppFilter) ([]views.FilterChip, error) {
	cs := chipSet{action: action, q: q}
	if f.CampaignID != 0 {
		var name string
		if err := db.Raw("SELECT name FROM campaigns WHERE id = ?", f.CampaignID).Scan(&name).Error; err != nil {
			return nil, err
		}
		if name == "" {
			name = "#" + idStr(f.CampaignID) + " (not found)"
		}
		cs.add("Campaign: "+name, "campaign")
	}
	if f.Quoted {
		cs.add("Quoted", "quoted")
	}
	if f.NoLead {
		cs.add("Entered without a lead", "lead")
	}
	cs.created(f.CreatedFrom, f.CreatedBefore)
	return cs.chips, nil
}

// leadChips are the lead list's filters from a report: qualified or
// converted ("solid"), created from/to. The campaign has its own field there.
func leadChips(q url.Values, f models.LeadFilter) []views.FilterChip {
	cs := chipSet{action: "/leads", q: q}
	if f.Solid {
		cs.add("Qualified or converted", "solid")
	}
	cs.created(f.CreatedFrom, f.CreatedBefore)
	return cs.chips
}

// chipSet collects the chips of the page action with query q.
type chipSet struct {
	action string
	q      url.Values
	chips  []views.FilterChip
}

// add names one filter; its link is the page without it, back on its first page.
func (cs *chipSet) add(label, param string) {
	cs.chips = append(cs.chips, views.FilterChip{Label: label, Param: param, Value: cs.q.Get(param),
		RemoveURL: withQuery(cs.action, cs.q, map[string]string{param: "", "page": "", "after": "", "before": ""})})
}

// created adds the period of creation a report's link sets (before is the
// day after the last one).
func (cs *chipSet) created(from, before time.Time) {
	if !from.IsZero() {
		cs.add("Created from "+from.Format(dateShown), "created_from")
	}
	if !before.IsZero() {
		cs.add("Created to "+before.AddDate(0, 0, -1).Format(dateShown), "created_to")
	}
}
