package models_test

import (
	"testing"
	"time"

	"salesdesk/db/dbtest"
	"salesdesk/models"
)

// Limits of different window lengths share the table: the first request of a
// new one-minute window prunes the windows that have ended, never an hour's
// window that is still running.
func TestRateLimitWindowsOfDifferentLengths(t *testing.T) {
	gdb := dbtest.Open(t)
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	hit := func(bucket string, at time.Time, window time.Duration) int {
		t.Helper()
		hits, _, err := models.HitRateLimit(gdb, bucket, at, window)
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	for i := range 3 {
		if got := hit("hourly", t0.Add(time.Duration(i)*time.Second), time.Hour); got != i+1 {
			t.Fatalf("hourly hit %d counted %d", i+1, got)
		}
	}
	// Five one-minute windows come and go, each pruning what has ended.
	for m := range 5 {
		if got := hit("minutely", t0.Add(time.Duration(m)*time.Minute+time.Second), time.Minute); got != 1 {
			t.Fatalf("minute %d: first hit counted %d", m, got)
		}
	}
	if got := hit("hourly", t0.Add(30*time.Minute), time.Hour); got != 4 {
		t.Errorf("the hour's window counted %d after the minutes moved on, want 4: it was pruned while running", got)
	}
	var rows int64
	gdb.Table("rate_limits").Count(&rows)
	if rows != 2 {
		t.Errorf("%d windows kept, want 2 (the hour and the last minute)", rows)
	}
	// After the hour, its window goes with the next new window.
	hit("minutely", t0.Add(time.Hour+time.Second), time.Minute)
	gdb.Table("rate_limits").Count(&rows)
	if rows != 1 {
		t.Errorf("%d windows kept after the hour ended, want 1", rows)
	}
}
