package models

import (
	"time"

	"gorm.io/gorm"
)

// HitRateLimit counts one request against bucket in the fixed window of the
// given length that contains now, and returns how many requests the window has
// seen (this one included) and when it ends. The counter lives in the database,
// so every app instance behind a load balancer counts against the same limit;
// one upsert keeps it exact under concurrent requests.
func HitRateLimit(db *gorm.DB, bucket string, now time.Time, window time.Duration) (int, time.Time, error) {
	start := now.UTC().Truncate(window)
	hits, err := countRateLimit(db, bucket, start, start.Add(window), now, 1)
	if err != nil {
		return 0, time.Time{}, err
	}
	return hits, start.Add(window), nil
}

// ReserveRateLimit takes up to want requests of bucket's window that contains
// now for the caller to spend, counting them all against the window at once,
// and says how many it got (0 when the window's limit is used up; never more
// than the limit leaves), the window's count with them and when it ends. The
// window's count only grows, so the requests reserved by every app instance
// together never exceed the limit: one that reserved some and did not spend
// them can only make others wait sooner, never let more through.
func ReserveRateLimit(db *gorm.DB, bucket string, now time.Time, window time.Duration, want, limit int) (got, count int, end time.Time, err error) {
	start := now.UTC().Truncate(window)
	want = max(want, 1)
	hits, err := countRateLimit(db, bucket, start, start.Add(window), now, want)
	if err != nil {
		return 0, 0, time.Time{}, err
	}
	return max(min(want, limit-(hits-want)), 0), hits, start.Add(window), nil
}

// countRateLimit adds n requests to bucket's window [start, end), in one
// upsert, and returns the window's count with them. The first requests of a
// new window clear the windows of every bucket that have ended by now, whatever
// their length, so the table stays as small as the number of recent clients.
func countRateLimit(db *gorm.DB, bucket string, start, end, now time.Time, n int) (int, error) {
	var hits int
	err := db.Raw(`INSERT INTO rate_limits (bucket, window_start, window_end, hits) VALUES (?, ?, ?, ?)
		ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + excluded.hits
		RETURNING hits`, bucket, start.Unix(), end.Unix(), n).Scan(&hits).Error
	if err != nil {
		return 0, err
	}
	if hits == n {
		if err := db.Exec(`DELETE FROM rate_limits WHERE window_end <= ?`, now.Unix()).Error; err != nil {
			return 0, err
		}
	}
	return hits, nil
}
