package embedded

import (
	"context"
	"fmt"
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
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.pipeline.run(runCtx) })
	for _, loop := range s.parts.Loops {
		wg.Go(func() { loop(runCtx) })
	}
	err = s.waitIdle(ctx)
	cancel()
	wg.Wait()
	s.closeParts()
	s.env.Plugins.Close()
	after, cerr := s.alertCount(context.Background())
	s.env.Store.Close()
	if err == nil {
		err = cerr
	}
	return after - before, err
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
