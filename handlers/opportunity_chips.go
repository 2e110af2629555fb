package handlers

import (
	"net/url"

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
	var chips []views.FilterChip
	add := func(label, param string) {
		chips = append(chips, views.FilterChip{Label: label, Param: param, Value: q.Get(param),
			RemoveURL: withQuery(action, q, map[string]string{param: "", "page": "", "after": "", "before": ""})})
	}
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
	if !f.CreatedFrom.IsZero() {
		add("Created from "+f.CreatedFrom.Format(dateShown), "created_from")
	}
	if !f.CreatedBefore.IsZero() {
		add("Created to "+f.CreatedBefore.AddDate(0, 0, -1).Format(dateShown), "created_to")
	}
	return chips, nil
}
