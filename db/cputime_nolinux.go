//go:build !linux

package db

import "time"

// threadCPUTime is not measured here: the statement log shows 0.
func threadCPUTime() time.Duration { return 0 }
