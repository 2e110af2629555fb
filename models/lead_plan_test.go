package models_test

import (
	"strings"
	"testing"

	"gorm.io/gorm"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// TestCampaignLeadListReadsAlongAnIndex checks the plan of the campaign page's
// lead list (ListLeads filtered by campaign, newest first): SQLite walks the
// (campaign_id, id) index backwards and stops after a page, instead of sorting
// every lead of the campaign (19,314 of them in the biggest generated one).
func TestCampaignLeadListReadsAlongAnIndex(t *testing.T) {
	dbtest.SkipOnPostgres(t, "EXPLAIN QUERY PLAN is SQLite's")
	gdb := dbtest.OpenDemo(t)
	var query string
	var vars []any
	capture := func(tx *gorm.DB) {
		if strings.Contains(tx.Statement.SQL.String(), "FROM `leads`") || strings.Contains(tx.Statement.SQL.String(), "FROM leads") {
			query, vars = tx.Statement.SQL.String(), tx.Statement.Vars
		}
	}
	if err := gdb.Callback().Row().After("gorm:row").Register("test:capture_row", capture); err != nil {
		t.Fatal(err)
	}
	if err := gdb.Callback().Query().After("gorm:query").Register("test:capture_query", capture); err != nil {
		t.Fatal(err)
	}
	var campaign uint
	if err := gdb.Raw("SELECT id FROM campaigns ORDER BY id LIMIT 1").Scan(&campaign).Error; err != nil || campaign == 0 {
		t.Fatalf("no demo campaign (%v)", err)
	}
	if _, _, err := models.ListLeads(gdb, models.LeadFilter{CampaignID: campaign}, models.NewPage(1), -1); err != nil {
		t.Fatal(err)
	}
	if query == "" {
		t.Fatal("the lead list query was not captured")
	}
	rows, err := gdb.Raw("EXPLAIN QUERY PLAN "+query, vars...).Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	all := strings.Join(plan, "\n")
	if !strings.Contains(all, "leads USING INDEX leads_campaign_id") || strings.Contains(all, "TEMP B-TREE") {
		t.Errorf("the campaign's leads are not read along leads_campaign_id; plan:\n%s", all)
	}
}
