package classify

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// Options configures a Classifier. Zero fields take the defaults in
// parentheses.
type Options struct {
	// Parsers parses raw records; required.
	Parsers Parsers
	// Workers is how many parser calls a batch keeps in flight
	// (GOMAXPROCS).
	Workers int
	// ChunkBytes and ChunkRecords bound one parser call (4 MiB, 5000
	// records); a single record larger than ChunkBytes goes alone.
	ChunkBytes   int
	ChunkRecords int
	// MaxFailedBytes is how much of a raw record a Failure keeps (1 MiB).
	MaxFailedBytes int
	// MaxDepth bounds the nesting of records (rawjson.DefaultMaxDepth).
	MaxDepth int
	// NewID returns the streamalert_record_id of a normalized record (a
	// random UUID); tests set it to get stable output.
	NewID  func() string
	Logger *slog.Logger
}

func (o *Options) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.Workers, runtime.GOMAXPROCS(0))
	def(&o.ChunkBytes, 4<<20)
	def(&o.ChunkRecords, 5000)
	def(&o.MaxFailedBytes, 1<<20)
	def(&o.MaxDepth, rawjson.DefaultMaxDepth)
	if o.NewID == nil {
		o.NewID = randomUUID
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Classifier classifies raw records against the schemas of a loaded
// configuration. It is safe for concurrent use.
type Classifier struct {
	cfg      *config.Config
	opts     Options
	parsers  Parsers
	schemas  map[config.LogType]*schema
	maxDepth int
	newID    func() string
	log      *slog.Logger
	workers  sync.Pool
}

// New prepares a classifier for the schemas of cfg.
func New(cfg *config.Config, opts Options) (*Classifier, error) {
	if opts.Parsers == nil {
		return nil, errors.New("classify: no parsers")
	}
	opts.defaults()
	c := &Classifier{
		cfg: cfg, opts: opts, parsers: opts.Parsers, schemas: map[config.LogType]*schema{},
		maxDepth: opts.MaxDepth, newID: opts.NewID, log: opts.Logger,
	}
	for _, s := range cfg.Schemas {
		c.schemas[s.Name] = compile(cfg, s)
	}
	c.workers.New = func() any { return &worker{} }
	return c, nil
}

// Classify classifies a batch of raw records from one source; results[i]
// is the outcome of records[i]. A record no schema accepts, or one from a
// source no cluster lists, comes back as a Failure, never as an error.
//
// An error means the batch could not be classified now: the context ended,
// or a parser failed in a way that may pass (pluginhost.Transient), such as
// a plugin that crashed and is restarting. The caller should retry the
// whole batch later; no result is returned with an error.
func (c *Classifier) Classify(ctx context.Context, src Source, records [][]byte) ([]Result, error) {
	results := make([]Result, len(records))
	names, err := c.cfg.SchemasForSource(src.Service, src.Resource)
	if err != nil {
		for i, raw := range records {
			results[i].Failure = c.failure(src, "", raw, []Attempt{{Reason: err.Error()}})
		}
		return results, nil
	}
	schemas := make([]*schema, len(names))
	for i, n := range names {
		schemas[i] = c.schemas[n]
	}
	cluster := ""
	if cl, ok := c.cfg.ClusterOf(src.Service, src.Resource); ok {
		cluster = cl.Name
	}
	if err := c.runShards(ctx, src, cluster, schemas, records, results); err != nil {
		return nil, err
	}
	return results, nil
}

// failure builds a Failure holding a capped copy of raw.
func (c *Classifier) failure(src Source, cluster string, raw []byte, attempts []Attempt) *Failure {
	keep := min(len(raw), c.opts.MaxFailedBytes)
	return &Failure{Source: src, Cluster: cluster, Raw: append([]byte(nil), raw[:keep]...), Size: len(raw), Attempts: attempts}
}

// randomUUID returns a version 4 UUID, as StreamAlert's uuid4().
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
