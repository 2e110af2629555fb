//go:build unix

package db

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far, for
// the generator's step log.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
