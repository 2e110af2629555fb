package models_test

import (
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// openDB gives a migrated, empty database of the test's own: a temp SQLite
// file, or a fresh PostgreSQL database when DATABASE_URL points at one.
func openDB(t *testing.T) *gorm.DB {
	t.Helper()
	return dbtest.Open(t)
}

func mkUser(t *testing.T, gdb *gorm.DB, email string, role models.Role) *models.User {
	t.Helper()
	u := &models.User{Email: email, Name: email, Role: role, PasswordHash: "x", Active: true, SessionVersion: 1}
	if err := gdb.Create(u).Error; err != nil {
		t.Fatal(err)
	}
	return u
}

func TestFeaturesStartInactiveAndRespectDependencies(t *testing.T) {
	gdb := openDB(t)
	admin := mkUser(t, gdb, "a@example.com", models.RoleAdmin)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

	f, err := models.LoadFeatures(gdb)
	if err != nil || len(f) != 0 {
		t.Fatalf("a new database has active features: %v %v", f, err)
	}
	if _, err := models.SetFeature(gdb, models.FeatureMarketing, true, admin, now); !errors.Is(err, models.ErrFeatureNeeds) {
		t.Fatalf("activating Marketing before Sales: err = %v, want ErrFeatureNeeds", err)
	}
	for _, k := range []string{models.FeatureSales, models.FeatureMarketing, models.FeatureProcurement} {
		if _, err := models.SetFeature(gdb, k, true, admin, now); err != nil {
			t.Fatal(err)
		}
	}
	changed, err := models.SetFeature(gdb, models.FeatureSales, false, admin, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(changed) != 3 {
		t.Fatalf("deactivating Sales changed %v, want sales, marketing and procurement", changed)
	}
	f, _ = models.LoadFeatures(gdb)
	if len(f) != 0 {
		t.Fatalf("after deactivating Sales still active: %v", f)
	}
	var n int64
	gdb.Model(&models.FeatureChange{}).Count(&n)
	if n != 6 {
		t.Fatalf("feature_changes has %d rows, want 6 (3 on, 3 off)", n)
	}
	states, _ := models.ListFeatures(gdb)
	if st := states[models.FeatureMarketing]; st.ChangedBy == nil || st.ChangedBy.ID != admin.ID || !st.ChangedAt.Equal(now) {
		t.Fatalf("last change of marketing not recorded: %+v", st)
	}
	if _, err := models.SetFeature(gdb, "nope", true, admin, now); !errors.Is(err, gorm.ErrRecordNotFound) {
		t.Fatalf("unknown feature: err = %v", err)
	}
}

func TestLoginLockout(t *testing.T) {
	gdb := openDB(t)
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for i := 0; i < models.LoginMaxFailures-1; i++ {
		if err := models.RecordLoginFailure(gdb, "x@example.com", "127.0.0.1", now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if until, _ := models.LoginLockedUntil(gdb, "x@example.com", now.Add(5*time.Minute)); !until.IsZero() {
		t.Fatalf("locked after 4 failures until %v", until)
	}
	models.RecordLoginFailure(gdb, "x@example.com", "127.0.0.1", now.Add(4*time.Minute))
	until, _ := models.LoginLockedUntil(gdb, "x@example.com", now.Add(5*time.Minute))
	if want := now.Add(models.LoginWindow); !until.Equal(want) {
		t.Fatalf("locked until %v, want %v", until, want)
	}
	if until, _ := models.LoginLockedUntil(gdb, "other@example.com", now.Add(5*time.Minute)); !until.IsZero() {
		t.Fatal("another account is locked too")
	}
	if until, _ := models.LoginLockedUntil(gdb, "x@example.com", now.Add(16*time.Minute)); !until.IsZero() {
		t.Fatalf("still locked after the window: %v", until)
	}
	models.ClearLoginFailures(gdb, "x@example.com")
	if until, _ := models.LoginLockedUntil(gdb, "x@example.com", now.Add(5*time.Minute)); !until.IsZero() {
		t.Fatal("still locked after clearing")
	}
}

func TestUpdateUserKeepsAnAdminAndEndsSessions(t *testing.T) {
	gdb := openDB(t)
	admin := mkUser(t, gdb, "a@example.com", models.RoleAdmin)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	if err := models.UpdateUser(gdb, admin, admin.Name, models.RoleRep, true); !errors.Is(err, models.ErrLastAdmin) {
		t.Fatalf("demoting the last admin: err = %v", err)
	}
	if err := models.UpdateUser(gdb, admin, admin.Name, models.RoleAdmin, false); !errors.Is(err, models.ErrLastAdmin) {
		t.Fatalf("deactivating the last admin: err = %v", err)
	}
	if err := models.UpdateUser(gdb, rep, "Rita", models.RoleRep, false); err != nil {
		t.Fatal(err)
	}
	var got models.User
	gdb.First(&got, rep.ID)
	if got.Active || got.SessionVersion != 2 || got.Name != "Rita" {
		t.Fatalf("deactivated rep = %+v, want inactive with session version 2", got)
	}
	if err := models.SetPassword(gdb, &got, "a-new-password"); err != nil {
		t.Fatal(err)
	}
	gdb.First(&got, rep.ID)
	if got.SessionVersion != 3 || !got.PasswordMatches("a-new-password") || got.PasswordMatches("x") {
		t.Fatalf("after SetPassword: %+v", got)
	}
}

func TestOpportunityAmountIsDerivedOnSave(t *testing.T) {
	gdb := openDB(t)
	rep := mkUser(t, gdb, "r@example.com", models.RoleRep)
	org := models.Organization{Name: "Acme", Type: "customer"}
	gdb.Create(&org)
	o := models.Opportunity{Title: "Deal", OrganizationID: org.ID, OwnerID: rep.ID, StageID: 1, Status: models.StatusActive,
		Probability: 25, ProjectedCloseDate: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC),
		Revenue: models.Amounts{OneTime: 100000, Monthly: 10000}, Version: 1}
	if err := gdb.Create(&o).Error; err != nil {
		t.Fatal(err)
	}
	got, err := models.LoadOpportunity(gdb, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Amount != 220000 || got.Weighted() != 55000 {
		t.Fatalf("amount %d weighted %d, want 220000 and 55000", got.Amount, got.Weighted())
	}
	if got.Stage == nil || got.Stage.Name != "Qualification" || got.Organization.Name != "Acme" {
		t.Fatalf("LoadOpportunity did not load stage and organization: %+v", got)
	}
	// The database refuses a probability outside 0–100 even if a handler forgot to check.
	bad := o
	bad.ID, bad.Probability = 0, 101
	if err := gdb.Create(&bad).Error; err == nil {
		t.Fatal("a probability of 101 was stored")
	}
}

func TestListOpportunitiesFiltersSortsAndPages(t *testing.T) {
	gdb := openDB(t)
	if _, err := db.SeedDemo(gdb, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	all, err := models.TotalOpportunities(gdb, models.OppFilter{})
	if err != nil || all.Count < 30 {
		t.Fatalf("demo has %d opportunities, %v", all.Count, err)
	}
	p1, more, err := models.ListOpportunities(gdb, models.OppFilter{Sort: "amount", Desc: true}, models.NewPage(1))
	if err != nil || !more || len(p1) != models.PageSize {
		t.Fatalf("page 1: %d rows, more=%v, %v", len(p1), more, err)
	}
	for i := 1; i < len(p1); i++ {
		if p1[i].Amount > p1[i-1].Amount {
			t.Fatalf("not sorted by amount descending at row %d", i)
		}
	}
	seen := map[uint]bool{}
	total := 0
	for n := 1; ; n++ {
		page, more, err := models.ListOpportunities(gdb, models.OppFilter{Sort: "amount", Desc: true}, models.NewPage(n))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page {
			if seen[r.ID] {
				t.Fatalf("opportunity %d on two pages", r.ID)
			}
			seen[r.ID] = true
		}
		total += len(page)
		if !more {
			break
		}
	}
	if int64(total) != all.Count {
		t.Fatalf("the pages hold %d rows of %d", total, all.Count)
	}
	rows, _, _ := models.ListOpportunities(gdb, models.OppFilter{Text: "northwind"}, models.NewPage(1))
	if len(rows) == 0 {
		t.Fatal("search by organization name found nothing")
	}
	for _, r := range rows {
		if r.OrganizationName != "Northwind Traders" {
			t.Fatalf("search for northwind returned %q", r.OrganizationName)
		}
	}
	// LIKE wildcards typed by the user are taken literally.
	if rows, _, _ := models.ListOpportunities(gdb, models.OppFilter{Text: "%"}, models.NewPage(1)); len(rows) != 0 {
		t.Fatalf("a search for %% matched %d rows", len(rows))
	}
	lost, _ := models.TotalOpportunities(gdb, models.OppFilter{Status: models.StatusLost})
	open, _ := models.TotalOpportunities(gdb, models.OppFilter{OpenOnly: true})
	if lost.Count == 0 || open.Count == 0 || lost.Count+open.Count >= all.Count {
		t.Fatalf("status filters: lost %d open %d all %d", lost.Count, open.Count, all.Count)
	}
}
