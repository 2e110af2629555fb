// Salesdesk is the sales module of a PSA tool for IT service companies:
// campaigns, leads, opportunities, quotes and the funnel, in one Go binary.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime/debug"
	rpprof "runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"gorm.io/gorm"

	"salesdesk/db"
	"salesdesk/handlers"
	"salesdesk/models"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	run := run
	if len(os.Args) > 1 && os.Args[1] == "gen" {
		run = gen
	}
	if len(os.Args) > 1 && os.Args[1] == "backup" {
		os.Exit(backup(os.Args[2:], os.Stdout, os.Stderr))
	}
	if err := run(log); err != nil {
		log.Error("salesdesk stopped", "err", err)
		os.Exit(1)
	}
}

// tuneGC (for the server, not gen) trades memory the server has to spare for CPU it has not: the live
// heap is a few MB, so collecting at 4× it (not 2×) halves the collector's work
// per request, and a soft limit keeps the heap far below the 250 MB budget.
// GOGC and GOMEMLIMIT, when set, win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(300)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}
}

func env(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return fallback
}

func envInt(key string, fallback int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return fallback
}

func envBool(key string, fallback bool) bool {
	if b, err := strconv.ParseBool(os.Getenv(key)); err == nil {
		return b
	}
	return fallback
}

func run(log *slog.Logger) error {
	addr := flag.String("addr", env("ADDR", ":8080"), "address to listen on (env ADDR)")
	dsn := flag.String("db", env("DATABASE_URL", "salesdesk.db"), "SQLite file, or a postgres:// URL (env DATABASE_URL)")
	demo := flag.Bool("demo", envBool("DEMO", true), "seed demo data into an empty database (env DEMO)")
	secure := flag.Bool("secure-cookies", envBool("SECURE_COOKIES", false), "mark cookies Secure; set when serving over TLS (env SECURE_COOKIES)")
	quoteLinkLimit := flag.Int("quote-link-limit", envInt("QUOTE_LINK_LIMIT", 0), "requests a minute one client IP may make to customer quote links; 0 is the default, 60 (env QUOTE_LINK_LIMIT)")
	trustedProxies := flag.String("trusted-proxies", os.Getenv("TRUSTED_PROXIES"), "load balancers (addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client; unset, the connection's address is the client (env TRUSTED_PROXIES)")
	concurrency := flag.Int("concurrency", envInt("CONCURRENCY", 0), "reads worked on at once, the rest queue in order; 0 is the default: one per core (at least 2) on SQLite, four per core on PostgreSQL (env CONCURRENCY)")
	pprofAddr := flag.String("pprof", env("PPROF_ADDR", ""), "serve net/http/pprof on this address, e.g. 127.0.0.1:6060; off when empty (env PPROF_ADDR)")
	flag.Parse()
	tuneGC()
	if *pprofAddr != "" {
		servePprof(*pprofAddr, log)
	}

	start := time.Now()
	gdb, err := db.Open(*dsn, log)
	if err != nil {
		return err
	}
	if err := db.Migrate(gdb); err != nil {
		return err
	}
	if *demo {
		seeded, err := db.SeedDemo(gdb, time.Now().UTC())
		if err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
		if seeded {
			log.Info("seeded demo data", "users", len(db.DemoUsers), "password", "see the sign-in page")
		}
	}
	key, err := sessionKey(gdb)
	if err != nil {
		return err
	}
	proxies, err := handlers.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return err
	}
	e, err := handlers.New(handlers.Config{DB: gdb, Log: log, SessionKey: key, SecureCookies: *secure, SMTPURL: os.Getenv("SMTP_URL"), QuoteLinkLimit: *quoteLinkLimit, Concurrency: *concurrency, TrustedProxies: proxies})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", *addr, "startup_ms", time.Since(start).Milliseconds())
		if err := e.Start(*addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
		close(errc)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := e.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if sqlDB, err := gdb.DB(); err == nil {
		_ = sqlDB.Close()
	}
	return nil
}

// servePprof starts the profiler on its own listener, never on the app's
// address: it is for an operator on the machine, not for users.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		log.Info("pprof listening", "addr", addr)
		if err := srv.ListenAndServe(); err != nil {
			log.Error("pprof stopped", "err", err)
		}
	}()
}

// gen fills the configured database with bulk data:
//
//	go run . gen -opportunities 100000
func gen(log *slog.Logger) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	dsn := fs.String("db", env("DATABASE_URL", "salesdesk.db"), "SQLite file, or a postgres:// URL (env DATABASE_URL)")
	n := fs.Int("opportunities", 100000, "how many opportunities to add")
	leads := fs.Int("leads", -1, "how many leads to add (default three per opportunity)")
	seed := fs.Uint64("seed", 1, "random seed, for repeatable data")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the generation to this file (for go tool pprof)")
	_ = fs.Parse(os.Args[2:])
	gdb, err := db.Open(*dsn, log)
	if err != nil {
		return err
	}
	if err := db.Migrate(gdb); err != nil {
		return err
	}
	if _, err := db.SeedDemo(gdb, time.Now().UTC()); err != nil {
		return err
	}
	if *leads < 0 {
		*leads = 3 * *n
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := rpprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer rpprof.StopCPUProfile()
	}
	start := time.Now()
	if err := db.Generate(gdb, db.GenOptions{Opportunities: *n, Leads: *leads, Seed: *seed, Log: log}, time.Now().UTC()); err != nil {
		return err
	}
	log.Info("generated", "opportunities", *n, "leads", *leads, "seconds", time.Since(start).Seconds())
	return nil
}

// backup writes a consistent copy of the SQLite database while the app serves:
//
//	salesdesk backup [-db salesdesk.db] FILE
//
// It returns the exit status.
func backup(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", env("DATABASE_URL", "salesdesk.db"), "SQLite file to back up (env DATABASE_URL)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: salesdesk backup [-db salesdesk.db] FILE\n\nWrites a consistent copy of the SQLite database to FILE, a new file, while the app keeps serving.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	out := fs.Arg(0)
	if db.IsPostgres(*dsn) {
		fmt.Fprintln(stderr, "backup:", db.ErrBackupNotSQLite)
		return 1
	}
	if _, err := os.Stat(*dsn); err != nil {
		fmt.Fprintf(stderr, "backup: no database at %s: %v\n", *dsn, err)
		return 1
	}
	gdb, err := db.Open(*dsn, nil)
	var took db.BackupTimes
	if err == nil {
		took, err = db.Backup(gdb, out)
		if sqlDB, err := gdb.DB(); err == nil {
			_ = sqlDB.Close()
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "backup:", err)
		return 1
	}
	size := int64(0)
	if fi, err := os.Stat(out); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(stdout, "backup of %s written to %s (%.1f MB): copied in %.2fs, integrity check ok in %.2fs\n",
		*dsn, out, float64(size)/1e6, took.Copy.Seconds(), took.Check.Seconds())
	return 0
}

// sessionKey comes from SESSION_KEY, or is generated once and kept in the
// database so restarts (and other instances) keep people signed in.
func sessionKey(gdb *gorm.DB) ([]byte, error) {
	if k := os.Getenv("SESSION_KEY"); k != "" {
		if len(k) < 32 {
			return nil, errors.New("SESSION_KEY must be at least 32 characters")
		}
		return []byte(k), nil
	}
	k, err := models.SettingOrCreate(gdb, "session_key", func() (string, error) {
		b := make([]byte, 32)
		_, err := rand.Read(b)
		return hex.EncodeToString(b), err
	})
	return []byte(k), err
}
