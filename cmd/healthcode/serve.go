package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"healthcode/internal/pages"
	"healthcode/internal/publiclog"
	"healthcode/internal/service"
	"healthcode/internal/web"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var sched schedule
	var prov providerFlags
	var fr front
	var eu dccFlags
	var tf trustFlags
	publicURL := getenv("HEALTHCODE_PUBLIC_URL")
	alertRed := cmp.Or(getenv("HEALTHCODE_ALERT_RED"), defaultRedAlert)
	c, err := parse("serve", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&alertRed, "alert-red", alertRed, "alert, in the public log and this log, when `N/PERIOD` people or more turn red on one key's word "+
			"within PERIOD; off: no alert ($HEALTHCODE_ALERT_RED)")
		sched.bind(fs, getenv)
		prov.bind(fs, getenv)
		fr.bind(fs, getenv)
		eu.bind(fs, getenv)
		tf.bind(fs, getenv)
		fs.StringVar(&publicURL, "public-url", publicURL, "the site's `URL` as people reach it, e.g. https://hc.example.gov.cn: "+
			"Secure cookies behind a proxy ending TLS, and the address on venue posters ($HEALTHCODE_PUBLIC_URL)")
	})
	if err != nil {
		return err
	}
	if err := errors.Join(sched.validate(), fr.validate()); err != nil {
		return err
	}
	c.Limits = fr.limits
	if c.EU, err = eu.open(c.Dev); err != nil {
		return err
	}
	if c.RedAlert, err = parseRedAlert(alertRed); err != nil {
		return err
	}
	level := slog.LevelInfo
	if c.Dev {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	eu.reloadOnHangup(ctx, c.EU, log)
	if c.Foreign, err = tf.open(ctx, c.Data, c.Region, log); err != nil {
		return err
	}
	if c.Foreign != nil {
		trustCtx, stopTrust := context.WithCancel(ctx)
		trustDone := make(chan struct{})
		defer func() { stopTrust(); <-trustDone }()
		go func() { defer close(trustDone); c.Foreign.Trust.Run(trustCtx, tf.refresh) }()
	}

	svc, where, closeStore, err := openServed(ctx, c, &prov, getenv, log)
	if err != nil {
		return err
	}
	defer closeStore()
	if publicURL == "" && !c.Dev {
		log.Warn("no --public-url: page cookies are Secure only on requests that came over TLS here, " +
			"and venue posters print the address each request names; behind a proxy ending TLS, set it")
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("rate limits", "limits", fr.limits.String(), "trusted_proxies", fr.proxies)
	return runSite(ctx, site{svc: svc, log: log, ln: ln, publicURL: publicURL, proxies: fr.proxies, every: sched.every},
		func() {
			log.Info("serving", "store", where, "region", c.Region, "dev", c.Dev, "schedule_every", sched.every)
			fmt.Fprintf(stdout, "healthcode listening on http://%s\n", ln.Addr())
		})
}

// site is what a running server is made of: serve's and the demo's.
type site struct {
	svc       *service.Service
	log       *slog.Logger
	ln        net.Listener
	publicURL string
	proxies   []netip.Prefix
	every     time.Duration // the scheduler's period; 0: no scheduler
}

// runSite serves the API and the pages on s.ln, calling ready once they
// answer, with the scheduler and the purge of expired sessions beside
// them, until ctx ends; then it shuts down gracefully.
func runSite(ctx context.Context, s site, ready func()) error {
	pg, err := pages.New(s.log, s.svc, s.publicURL)
	if err != nil {
		s.ln.Close()
		return err
	}
	srv := &http.Server{
		Handler:           web.NewServer(s.log, s.svc, web.WithPages(pg), web.WithTrustedProxies(s.proxies)),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	// The scheduler stops before the store closes (defers run last first).
	schedCtx, stopSched := context.WithCancel(ctx)
	schedDone := make(chan struct{})
	defer func() { stopSched(); <-schedDone }()
	purgeDone := make(chan struct{})
	defer func() { stopSched(); <-purgeDone }()
	go func() { defer close(purgeDone); purge(schedCtx, s.svc, s.log) }()
	// The public log's sequencer: one round every SequenceEvery, on every
	// server; PostgreSQL's advisory lock lets one at a time do the work.
	seqDone := make(chan struct{})
	defer func() { stopSched(); <-seqDone }()
	go func() { defer close(seqDone); s.svc.RunSequencer(schedCtx, publiclog.SequenceEvery) }()
	if s.every > 0 {
		sched := schedule{every: s.every}
		go func() { defer close(schedDone); sched.run(schedCtx, s.svc, s.log) }()
	} else {
		close(schedDone)
	}
	ready()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}
