package db

import (
	"syscall"
	"time"
)

// threadCPUTime is the CPU time the calling OS thread has used so far: a
// bulk writer, locked to its thread, measures each statement with it (SQLite
// works on the thread that calls it), whatever the other goroutines use.
func threadCPUTime() time.Duration { return rusageTime(syscall.RUSAGE_THREAD) }
