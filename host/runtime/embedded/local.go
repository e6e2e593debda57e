package embedded

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/streamalert-go/sa/host/store"
)

// IngestLocal runs the pipeline once in this process, without a server:
// it journals records as if source had sent them, then classifies,
// evaluates, stores and delivers until nothing is left to do or ctx ends.
// It reports the alerts stored. Deliveries still retrying when ctx ends stay
// queued for the next sa serve.
func (s *Server) IngestLocal(ctx context.Context, source string, records [][]byte) (int, error) {
	src, ok := s.sourceByName(source)
	if !ok {
		return 0, fmt.Errorf("no source %q in %s", source, ConfigFile)
	}
	before, err := s.alertCount(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := s.env.Store.Append(ctx, store.JournalEntry{
		Service: src.Service, Resource: src.Resource, Received: time.Now(), Records: records,
	}); err != nil {
		return 0, err
	}
	err = s.drain(ctx)
	after, cerr := s.alertCount(context.Background())
	s.env.Store.Close()
	if err == nil {
		err = cerr
	}
	return after - before, err
}

// drain runs the pipeline and the parts' loops until nothing is left to
// do or ctx ends, then closes the parts and the plugins; the store stays
// open for the caller to read, and close.
func (s *Server) drain(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.pipeline.run(runCtx) })
	for _, loop := range s.parts.Loops {
		wg.Go(func() { loop(runCtx) })
	}
	err := s.waitIdle(ctx)
	cancel()
	wg.Wait()
	s.closeParts()
	s.env.Plugins.Close()
	return err
}

// AppRun is what sa app run did: the polls of the instance, the logs
// gathered, and what became of them.
type AppRun struct {
	Polls    int
	Gathered int
	// More is set when the app still had logs to gather after the last
	// poll allowed (the next poll continues).
	More bool
	// Classified counts records by log type; Failed those no schema
	// accepted (kept in the dead letter store).
	Classified map[string]int
	Failed     int
	Alerts     int
}

// maxRunPolls bounds the polls of one sa app run; an app with more to
// gather continues at the next run or under sa serve.
const maxRunPolls = 20

// RunApp polls one app instance now, in this process, as sa serve would
// (from its saved state, keeping its new state), then classifies,
// evaluates and delivers what it gathered. An instance polling in a
// running sa serve is not polled twice: RunApp then fails.
func (s *Server) RunApp(ctx context.Context, name string) (AppRun, error) {
	defer s.env.Store.Close()
	var run AppRun
	i := slices.IndexFunc(s.env.Config.Apps, func(a App) bool { return a.Name == name })
	if i < 0 {
		s.closeParts()
		s.env.Plugins.Close()
		return run, fmt.Errorf("no app %q in %s", name, ConfigFile)
	}
	app := s.env.Config.Apps[i]
	before, err := s.alertCount(ctx)
	if err != nil {
		return run, err
	}
	gathered := func() float64 { return counterSum(s.metrics, "sa_records_in_total", "source", appService+"/"+name) }
	start := gathered()
	for run.More = true; run.More && run.Polls < maxRunPolls; run.Polls++ {
		if run.More, err = s.apps.poll(ctx, app); err != nil {
			break
		}
	}
	run.Gathered = int(gathered() - start)
	if err != nil {
		s.closeParts()
		s.env.Plugins.Close()
		return run, fmt.Errorf("app %s: %w", name, err)
	}
	if err := s.drain(ctx); err != nil {
		return run, err
	}
	run.Classified = counterValues(s.metrics, "sa_records_classified_total", "log_type")
	for _, n := range counterValues(s.metrics, "sa_records_failed_total", "log_type") {
		run.Failed += n
	}
	after, err := s.alertCount(ctx)
	run.Alerts = after - before
	return run, err
}

// counterValues sums a counter family by one label's values.
func counterValues(m *metrics, family, label string) map[string]int {
	out := map[string]int{}
	mfs, _ := m.reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() != family {
			continue
		}
		for _, c := range mf.GetMetric() {
			for _, l := range c.GetLabel() {
				if l.GetName() == label {
					out[l.GetValue()] += int(c.GetCounter().GetValue())
				}
			}
		}
	}
	return out
}

func counterSum(m *metrics, family, label, value string) float64 {
	return float64(counterValues(m, family, label)[value])
}

func (s *Server) sourceByName(name string) (Source, bool) {
	for _, src := range s.env.Config.Sources {
		if src.Name == name {
			return src, true
		}
	}
	return Source{}, false
}

// waitIdle returns once the journal is empty and no delivery is pending.
func (s *Server) waitIdle(ctx context.Context) error {
	for {
		_, n, err := s.env.Store.Depth(ctx)
		if err != nil {
			return err
		}
		p, err := s.env.Store.PendingDeliveries(ctx)
		if err != nil {
			return err
		}
		if n == 0 && p == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped with %d records unprocessed and %d deliveries pending: %w", n, p, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (s *Server) alertCount(ctx context.Context) (int, error) {
	n := 0
	for cursor := ""; ; {
		page, err := s.env.Store.List(ctx, store.ListRequest{Limit: 1000, Cursor: cursor})
		if err != nil {
			return 0, err
		}
		n += len(page.Alerts)
		if cursor = page.Next; cursor == "" {
			return n, nil
		}
	}
}
