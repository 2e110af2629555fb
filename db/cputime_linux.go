package db

import (
	"syscall"
	"time"
)

// threadCPUTime is the CPU time the calling OS thread has used so far: a
// bulk writer, locked to its thread, measures each statement with it (SQLite
// works on the thread that calls it), whatever the other goroutines use.
func threadCPUTime() time.Duration {
	var u syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_THREAD, &u) != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
