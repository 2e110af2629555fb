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
	chips, add := chipList(action, q)
	if f.CampaignID != 0 {
		var name string
		if err := db.Raw("SELECT name FROM campaigns WHERE id = ?", f.CampaignID).Scan(&name).Error; err != nil {
			return nil, err
		}
		if name == "" {
			name = "#" + idStr(f.CampaignID) + " (not found)"
		}
		add("Campaign: "+name, "campaign")
	}
	if f.Quoted {
		add("Quoted", "quoted")
	}
	if f.NoLead {
		add("Entered without a lead", "lead")
	}
	createdChips(add, f.CreatedFrom, f.CreatedBefore)
	return *chips, nil
}

// leadChips are the lead list's filters from a report: qualified or
// converted ("solid"), created from/to. The campaign has its own field there.
func leadChips(q url.Values, f models.LeadFilter) []views.FilterChip {
	chips, add := chipList("/leads", q)
	if f.Solid {
		add("Qualified or converted", "solid")
	}
	createdChips(add, f.CreatedFrom, f.CreatedBefore)
	return *chips
}

// chipList collects chips; add names one filter, its link is the page
// without it (and back on its first page).
func chipList(action string, q url.Values) (*[]views.FilterChip, func(label, param string)) {
	chips := new([]views.FilterChip)
	return chips, func(label, param string) {
		*chips = append(*chips, views.FilterChip{Label: label, Param: param, Value: q.Get(param),
			RemoveURL: withQuery(action, q, map[string]string{param: "", "page": "", "after": "", "before": ""})})
	}
}

// createdChips: the period of creation a report's link sets (before is the
// day after the last one).
func createdChips(add func(label, param string), from, before time.Time) {
	if !from.IsZero() {
		add("Created from "+from.Format(dateShown), "created_from")
	}
	if !before.IsZero() {
		add("Created to "+before.AddDate(0, 0, -1).Format(dateShown), "created_to")
	}
}
