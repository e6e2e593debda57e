package threatintel

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/streamalert-go/sa/host/rules"
)

// DynamoOptions configure a Dynamo store.
type DynamoOptions struct {
	// Table is the IOC table: hash key ioc_value (S), with ioc_type and
	// expiration_ts (N, Unix seconds) attributes, as StreamAlert's threat
	// intel downloader writes it.
	Table string
	// CacheTTL is how long an answer, hit or miss, is reused: 5 minutes
	// by default. CacheSize bounds the cached values (100,000).
	CacheTTL  time.Duration
	CacheSize int
	// Timeout bounds the lookups of one record: 5 seconds by default.
	Timeout time.Duration
	Logger  *slog.Logger
	Now     func() time.Time
}

// Dynamo matches records against an IOC table in DynamoDB, the AWS
// runtime's store. Lookups are batched per record (BatchGetItem, 100 keys
// a call) and their answers cached, so a burst of records sharing
// addresses costs one read per address per TTL. A failed read matches
// nothing, is logged at most once a minute, and is not cached.
type Dynamo struct {
	*policy
	client *dynamodb.Client
	opts   DynamoOptions

	mu      sync.Mutex
	cache   map[string]cached
	lastLog time.Time
}

type cached struct {
	hit     bool
	expires time.Time
}

// batchMax is BatchGetItem's limit of keys per call.
const batchMax = 100

// NewDynamo returns a store over the table, matching as cfg says.
func NewDynamo(cfg Config, client *dynamodb.Client, opts DynamoOptions) (*Dynamo, error) {
	p, err := newPolicy(cfg)
	if err != nil {
		return nil, err
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = 5 * time.Minute
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = 100_000
	}
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Dynamo{policy: p, client: client, opts: opts, cache: map[string]cached{}}, nil
}

// MatchRecord implements rules.ThreatIntel.
func (d *Dynamo) MatchRecord(rec map[string]any) map[string][]string {
	cands := d.candidates(rec)
	if len(cands) == 0 {
		return nil
	}
	now := d.opts.Now()
	var out map[string][]string
	var misses []candidate
	d.mu.Lock()
	for _, c := range cands {
		e, ok := d.cache[c.value]
		switch {
		case ok && now.Before(e.expires):
			if e.hit {
				out = addMatch(out, c)
			}
		default:
			misses = append(misses, c)
		}
	}
	d.mu.Unlock()
	if len(misses) == 0 {
		return sortMatches(out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.opts.Timeout)
	defer cancel()
	found, err := d.fetch(ctx, misses, now)
	if err != nil {
		d.logFailure(err)
	}
	d.mu.Lock()
	for _, c := range misses {
		hit, answered := found[c.value]
		if hit {
			out = addMatch(out, c)
		}
		if answered {
			d.store(c.value, cached{hit: hit, expires: now.Add(d.opts.CacheTTL)})
		}
	}
	d.mu.Unlock()
	return sortMatches(out)
}

// fetch reads the candidates' items. The answer maps each value read to
// whether it is a live IOC; values whose reads failed are absent.
func (d *Dynamo) fetch(ctx context.Context, cands []candidate, now time.Time) (map[string]bool, error) {
	found := map[string]bool{}
	var errs []error
	for start := 0; start < len(cands); start += batchMax {
		chunk := cands[start:min(start+batchMax, len(cands))]
		keys := make([]map[string]types.AttributeValue, 0, len(chunk))
		for _, c := range chunk {
			keys = append(keys, map[string]types.AttributeValue{"ioc_value": &types.AttributeValueMemberS{Value: c.value}})
		}
		pending := map[string]types.KeysAndAttributes{d.opts.Table: {
			Keys:                 keys,
			ProjectionExpression: aws.String("ioc_value, expiration_ts"),
		}}
		// Unprocessed keys are asked again, twice at most, with a pause.
		for try := 0; len(pending) > 0 && try < 3; try++ {
			if try > 0 {
				select {
				case <-ctx.Done():
					return found, ctx.Err()
				case <-time.After(time.Duration(try) * 50 * time.Millisecond):
				}
			}
			out, err := d.client.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				errs = append(errs, err)
				break
			}
			for _, item := range out.Responses[d.opts.Table] {
				v, ok := item["ioc_value"].(*types.AttributeValueMemberS)
				if !ok {
					continue
				}
				found[v.Value] = !expired(item["expiration_ts"], now)
			}
			pending = out.UnprocessedKeys
		}
		if len(pending) == 0 {
			// Every key was answered: those without items are misses.
			for _, c := range chunk {
				if _, ok := found[c.value]; !ok {
					found[c.value] = false
				}
			}
		}
	}
	return found, errors.Join(errs...)
}

// expired reports whether an item's expiration_ts has passed; DynamoDB's
// TTL deletes items some time after they expire, not at once.
func expired(av types.AttributeValue, now time.Time) bool {
	n, ok := av.(*types.AttributeValueMemberN)
	if !ok {
		return false
	}
	ts, err := strconv.ParseFloat(n.Value, 64)
	return err == nil && ts > 0 && int64(ts) <= now.Unix()
}

// store caches an answer; the caller holds mu. When the cache is full an
// arbitrary entry makes room.
func (d *Dynamo) store(v string, c cached) {
	if _, ok := d.cache[v]; !ok && len(d.cache) >= d.opts.CacheSize {
		for k := range d.cache {
			delete(d.cache, k)
			break
		}
	}
	d.cache[v] = c
}

func (d *Dynamo) logFailure(err error) {
	d.mu.Lock()
	now := d.opts.Now()
	quiet := now.Sub(d.lastLog) < time.Minute
	if !quiet {
		d.lastLog = now
	}
	d.mu.Unlock()
	if !quiet {
		d.opts.Logger.Warn("threat intel: IOC table lookup failed; records matched nothing", "table", d.opts.Table, "error", err.Error())
	}
}

var _ rules.ThreatIntel = (*Dynamo)(nil)
