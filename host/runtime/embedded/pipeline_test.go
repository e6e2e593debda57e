package embedded

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/store"
	"github.com/streamalert-go/sa/host/store/sqlite"
)

// brokenClassifier fails like a parser plugin that is marked failed.
type brokenClassifier struct{}

func (brokenClassifier) Classify(context.Context, classify.Source, [][]byte) ([]classify.Result, error) {
	return nil, errors.New("plugin parser.json: parse: plugin is marked failed: checksum mismatch")
}

// TestPipelineDeadLettersUnclassifiable: an entry a failed parser cannot
// classify goes to the dead letter store with the reason and the journal
// moves on, instead of stalling every later entry.
func TestPipelineDeadLettersUnclassifiable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := sqlite.Open(ctx, t.TempDir()+"/sa.db", sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		if _, err := db.Append(ctx, store.JournalEntry{Service: "kinesis", Resource: "s", Records: [][]byte{[]byte("a"), []byte("b")}}); err != nil {
			t.Fatal(err)
		}
	}
	dead := &memDeadLetter{}
	p := &pipeline{journal: db, classify: brokenClassifier{}, rules: rootRule{}, dead: dead,
		metrics: newMetrics(gauges{journalDepth: func() float64 { return 0 }, pendingDeliveries: func() float64 { return 0 }}),
		log:     slog.New(slog.DiscardHandler), wake: make(chan struct{}), idle: 10 * time.Millisecond}
	go p.run(ctx)
	waitFor(t, func() bool { _, n, _ := db.Depth(ctx); return n == 0 }, "the journal to drain")
	cancel()
	dead.mu.Lock()
	defer dead.mu.Unlock()
	if len(dead.got) != 4 || dead.got[0].Attempts[0].Reason == "" {
		t.Fatalf("dead letter holds %d records, want 4 with the reason", len(dead.got))
	}
}
