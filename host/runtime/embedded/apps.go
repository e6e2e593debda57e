package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/secrets"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/internal/flock"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// appService is the data_sources service app logs classify under.
const appService = "streamalert_app"

// scheduler polls app plugin instances. Each instance has one loop, so an
// instance never polls twice at once; each batch's logs and the state after
// them commit in one transaction, so a poll cut short anywhere resumes from
// the last batch that committed, losing and repeating nothing.
type scheduler struct {
	apps    []App
	plugins *pluginhost.Host
	journal interface {
		store.Journal
		store.Checkpoints
	}
	wake func()
	// sinks take the logs of apps whose sink is not classification.
	sinks map[string]func(app string, logs [][]byte) error
	// locks is the directory of the instances' lock files: an instance
	// polls in one process at a time (sa serve, sa app run).
	locks   string
	metrics *metrics
	log     *slog.Logger
}

// configure tells the plugin host how to configure each app instance.
func (s *scheduler) configure(sec secrets.Store) {
	for _, a := range s.apps {
		s.plugins.Configure("app."+a.Plugin, a.Name, func(ctx context.Context) (map[string]any, error) {
			cfg := map[string]any{}
			for k, v := range a.Config {
				cfg[k] = v
			}
			creds, err := sec.Get(ctx, "app/"+a.Plugin+"/"+a.Name)
			if err != nil && !errors.Is(err, secrets.ErrNotFound) {
				return nil, err
			}
			for k, v := range creds {
				cfg[k] = v.Reveal()
			}
			return cfg, nil
		})
	}
}

// run polls every app until ctx ends.
func (s *scheduler) run(ctx context.Context) {
	done := make(chan struct{})
	for _, a := range s.apps {
		go func() {
			defer func() { done <- struct{}{} }()
			s.loop(ctx, a)
		}()
	}
	for range s.apps {
		<-done
	}
}

func (s *scheduler) loop(ctx context.Context, a App) {
	sched, err := ParseSchedule(a.Schedule)
	if err != nil {
		s.log.Error("app not scheduled", "app", a.Name, "error", err.Error())
		return
	}
	next := time.Now() // the first poll runs at start
	for {
		if d := time.Until(next); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
		if ctx.Err() != nil {
			return
		}
		more, err := s.poll(ctx, a)
		switch {
		case errors.Is(err, errBusy):
			s.log.Info("app poll skipped: it is polling in another process", "app", a.Name)
		case err != nil && ctx.Err() == nil:
			s.log.Warn("app poll failed; the next poll resumes from the last saved state", "app", a.Name, "error", err.Error())
			s.metrics.AppPolls.WithLabelValues(a.Name, "error").Inc()
		case err == nil:
			s.metrics.AppPolls.WithLabelValues(a.Name, "ok").Inc()
		}
		if more && err == nil {
			next = time.Now() // the budget ran out with logs left: continue
			continue
		}
		next = sched.Next(time.Now())
	}
}

// errBusy is an instance polling in another process.
var errBusy = errors.New("the app is polling in another process")

// poll runs one Gather from the saved state and reports whether the app
// said more remains.
func (s *scheduler) poll(ctx context.Context, a App) (more bool, err error) {
	unlock, err := s.lock(a.Name)
	if err != nil {
		return false, err
	}
	defer unlock()
	key := "app/" + a.Name
	state, _, err := s.journal.GetState(ctx, key)
	if err != nil {
		return false, fmt.Errorf("load state: %w", err)
	}
	budget := a.Budget
	if budget <= 0 {
		budget = 5 * time.Minute
	}
	sink := s.sinks[a.Sink]
	if a.Sink != "" && sink == nil {
		return false, fmt.Errorf("sink %q is not available", a.Sink)
	}
	err = s.plugins.Gather(ctx, a.Plugin, a.Name, state, budget, func(b saplugin.Batch) error {
		if sink != nil && len(b.Logs) > 0 {
			// Kept before the state moves past them: a crash in between
			// gathers them again, and the sink drops repeats.
			if err := sink(a.Name, b.Logs); err != nil {
				return fmt.Errorf("sink %s: %w", a.Sink, err)
			}
		}
		err := s.journal.WithJournalTx(ctx, func(tx store.JournalTx) error {
			if sink == nil && len(b.Logs) > 0 {
				if _, err := tx.Append(ctx, store.JournalEntry{Service: appService, Resource: a.Name, Records: b.Logs}); err != nil {
					return err
				}
			}
			return tx.PutState(ctx, key, b.State)
		})
		if err != nil {
			return fmt.Errorf("commit batch: %w", err)
		}
		more = b.More
		s.metrics.Received(appService+"/"+a.Name, len(b.Logs), sizeOf(b.Logs))
		s.metrics.AppRecords.WithLabelValues(a.Name).Add(float64(len(b.Logs)))
		if sink == nil && len(b.Logs) > 0 {
			s.wake()
		}
		return nil
	})
	return more, err
}

// lock takes the instance's lock file without waiting.
func (s *scheduler) lock(app string) (func(), error) {
	if err := os.MkdirAll(s.locks, 0o700); err != nil {
		return nil, err
	}
	unlock, err := flock.TryLock(filepath.Join(s.locks, "app-"+app+".lock"))
	if errors.Is(err, flock.ErrLocked) {
		return nil, errBusy
	}
	return unlock, err
}
