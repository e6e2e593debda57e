package apptest

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	saplugin "github.com/streamalert-go/sa/sdk/plugin"
	"github.com/streamalert-go/sa/sdk/schema"
)

// Gather runs one Gather of app in process, for instance with cfg, from
// state within budget, and returns the batches it emitted and its error.
func Gather(t testing.TB, app saplugin.App, instance string, cfg schema.Config, state []byte,
	budget time.Duration) ([]saplugin.Batch, error) {
	t.Helper()
	var batches []saplugin.Batch
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	err := app.Gather(ctx, saplugin.GatherRequest{Instance: instance, Config: cfg, State: state, Budget: budget},
		func(b saplugin.Batch) error {
			batches = append(batches, b)
			return nil
		})
	return batches, err
}

// Logs returns the logs of batches, in order.
func Logs(batches []saplugin.Batch) [][]byte {
	var out [][]byte
	for _, b := range batches {
		out = append(out, b.Logs...)
	}
	return out
}

// LastState returns the state of the last of batches, or prev when there
// are none: the state the next poll starts from.
func LastState(prev []byte, batches []saplugin.Batch) []byte {
	if len(batches) == 0 {
		return prev
	}
	return batches[len(batches)-1].State
}

// DebugLogger returns a logger writing every level as JSON lines into w,
// for tests that read or leak-check a plugin's log.
func DebugLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
