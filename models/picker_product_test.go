package models_test

import (
	"fmt"
	"testing"

	"salesdesk/models"
)

// ProductPick matches a typed name or SKU, ignoring case, among the active
// products only; Resolve prefers an exact name or SKU to a prefix.
func TestProductPickByNameOrSKU(t *testing.T) {
	gdb := openDB(t)
	pdProduct(t, gdb, "SW-24", "Switch 24 ports", models.KindProduct, true)
	pdProduct(t, gdb, "SW-48", "Switch 48 ports", models.KindProduct, true)
	pdProduct(t, gdb, "SW", "Switch", models.KindProduct, true)
	pdProduct(t, gdb, "OLD-SW", "Old switch", models.KindProduct, false)
	pdProduct(t, gdb, "SW-ADAPT", "Adapter", models.KindProduct, true)
	names := func(rows []models.Pick, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Label())
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		text, want string
	}{
		{"sw-48", "[Switch 48 ports (SW-48, $100.00)]"},    // a SKU, any case
		{"SWITCH", "[Switch (SW, $100.00)]"},               // the exact name before the names it starts
		{"switch 2", "[Switch 24 ports (SW-24, $100.00)]"}, // a prefix of a name
		{"48 ports", "[Switch 48 ports (SW-48, $100.00)]"}, // contained
		{"old", "[]"},  // inactive: not offered
		{"100%", "[]"}, // LIKE's wildcards taken literally
		{"sw-", "[Switch 24 ports (SW-24, $100.00) Switch 48 ports (SW-48, $100.00) Adapter (SW-ADAPT, $100.00)]"},
	} {
		if got := names(models.Resolve(gdb, models.ProductPick{}, tc.text)); got != tc.want {
			t.Errorf("Resolve(%q) = %s, want %s", tc.text, got, tc.want)
		}
	}
	if got := names(models.Suggest(gdb, models.ProductPick{}, "s", 2)); got != "[Switch (SW, $100.00) Switch 24 ports (SW-24, $100.00)]" {
		t.Errorf("Suggest(s, 2) = %s", got)
	}
	// The names that start so, by name, then the SKUs that do, by SKU.
	if got := names(models.Suggest(gdb, models.ProductPick{}, "sw", 10)); got != "[Switch (SW, $100.00) Switch 24 ports (SW-24, $100.00) "+
		"Switch 48 ports (SW-48, $100.00) Adapter (SW-ADAPT, $100.00)]" {
		t.Errorf("Suggest(sw) = %s", got)
	}
}

// ContactChoices reads the contacts of the organizations a select offers,
// not every contact.
func TestContactChoicesOfTheOfferedOrganizations(t *testing.T) {
	gdb := openDB(t)
	var orgs [3]models.Organization
	for i := range orgs {
		orgs[i] = models.Organization{Name: fmt.Sprintf("Contact Org %d", i), Type: "customer"}
		if err := gdb.Create(&orgs[i]).Error; err != nil {
			t.Fatal(err)
		}
		if err := gdb.Create(&models.Contact{OrganizationID: orgs[i].ID, FirstName: "Person", LastName: fmt.Sprint(i)}).Error; err != nil {
			t.Fatal(err)
		}
	}
	cs, err := models.ContactChoices(gdb, []uint{orgs[0].ID, orgs[2].ID}, 10)
	if err != nil || len(cs) != 2 || cs[0].OrganizationID != orgs[0].ID || cs[1].OrganizationID != orgs[2].ID {
		t.Fatalf("ContactChoices = %+v, %v; want the contacts of organizations 0 and 2", cs, err)
	}
	if cs, err := models.ContactChoices(gdb, nil, 10); err != nil || len(cs) != 0 {
		t.Errorf("ContactChoices(none) = %+v, %v", cs, err)
	}
	if cs, err := models.ContactChoices(gdb, []uint{orgs[0].ID, orgs[1].ID, orgs[2].ID}, 2); err != nil || len(cs) != 2 || cs[1].OrganizationID != orgs[1].ID {
		t.Errorf("ContactChoices(all, 2) = %+v, %v; want the first two by name", cs, err)
	}
}
