package models_test

import (
	"strings"
	"testing"
	"time"

	"salesdesk/models"
)

// featureState is the features that are on, as "key,key" in FeatureDefs order.
func featureState(t *testing.T, f models.Features) string {
	t.Helper()
	var on []string
	for _, d := range models.FeatureDefs {
		if f.On(d.Key) {
			on = append(on, d.Key)
		}
	}
	return strings.Join(on, ",")
}

// Deactivating Sales switches off what needs it; activating Sales again turns
// back on exactly those, not a feature the admin had switched off before.
func TestReactivatingAFeatureRestoresWhatWentOffWithIt(t *testing.T) {
	gdb := openDB(t)
	admin := mkUser(t, gdb, "a@example.com", models.RoleAdmin)
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	set := func(key string, on bool) []string {
		t.Helper()
		now = now.Add(time.Minute)
		changed, err := models.SetFeature(gdb, key, on, admin, now)
		if err != nil {
			t.Fatal(err)
		}
		return changed
	}
	state := func() string {
		t.Helper()
		f, err := models.LoadFeatures(gdb)
		if err != nil {
			t.Fatal(err)
		}
		return featureState(t, f)
	}
	for _, k := range []string{models.FeatureSales, models.FeatureMarketing, models.FeatureProcurement, models.FeatureQuoteManager} {
		set(k, true)
	}
	// Marketing goes off by itself first.
	set(models.FeatureMarketing, false)
	if got := strings.Join(set(models.FeatureSales, false), ","); got != "sales,procurement,quote_manager" {
		t.Fatalf("deactivating Sales changed %q, want sales,procurement,quote_manager", got)
	}
	if back, err := models.OffWith(gdb, models.FeatureSales); err != nil || strings.Join(back, ",") != "procurement,quote_manager" {
		t.Fatalf("OffWith(sales) = %v, %v; want procurement and quote_manager", back, err)
	}
	if got := strings.Join(set(models.FeatureSales, true), ","); got != "sales,procurement,quote_manager" {
		t.Fatalf("activating Sales changed %q, want sales,procurement,quote_manager", got)
	}
	if got := state(); got != "sales,procurement,quote_manager" {
		t.Fatalf("after Sales off and on: %q on; want Marketing to stay off and the others back", got)
	}
	states, err := models.ListFeatures(gdb)
	if err != nil {
		t.Fatal(err)
	}
	for k, st := range states {
		if st.OffWith != nil {
			t.Errorf("%s still says it went off with %s", k, *st.OffWith)
		}
	}

	// A second round brings nothing back twice: the first activation used up
	// the memory, and one activated by itself clears its own.
	set(models.FeatureSales, false)
	set(models.FeatureSales, true)
	set(models.FeatureProcurement, false)
	set(models.FeatureSales, false)
	set(models.FeatureMarketing, false) // already off: nothing changes
	if got := strings.Join(set(models.FeatureSales, true), ","); got != "sales,quote_manager" {
		t.Fatalf("activating Sales changed %q, want sales,quote_manager (Procurement was off by itself)", got)
	}

	// The log says which changes came along with Sales.
	changes, err := models.RecentFeatureChanges(gdb, 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range changes {
		s := ch.FeatureKey + "=" + map[bool]string{true: "on", false: "off"}[ch.Active]
		if ch.WithFeature != nil {
			s += " with " + *ch.WithFeature
		}
		if ch.User == nil || ch.User.ID != admin.ID {
			t.Errorf("change %s does not say who made it", s)
		}
		got = append(got, s)
	}
	if want := "quote_manager=on with sales|sales=on|quote_manager=off with sales"; strings.Join(got, "|") != want {
		t.Errorf("newest changes %q, want %q", strings.Join(got, "|"), want)
	}
}
