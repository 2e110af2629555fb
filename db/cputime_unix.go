//go:build unix

package db

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far, for
// the generator's step log.
func cpuTime() time.Duration { return rusageTime(syscall.RUSAGE_SELF) }

// rusageTime is the user and system CPU time of who (RUSAGE_SELF or, on
// Linux, RUSAGE_THREAD), 0 if it cannot be read.
func rusageTime(who int) time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(who, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
