package classify

import (
	"context"
	"fmt"
	"slices"

	"google.golang.org/grpc/status"

	"github.com/streamalert-go/sa/host/pluginhost"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// run classifies one shard of a batch. It walks the candidate schemas in
// order and sends the records still unclassified to each schema's parser
// in a few large calls; the first schema under which a record yields a
// valid record claims it.
type run struct {
	c       *Classifier
	src     Source
	cluster string
	schemas []*schema
	records [][]byte
	results []Result
	notes   [][]note  // per record, why schemas asked did not match
	docs    []docKeys // per record, top-level keys for the prefilter
	w       *worker
}

// note is why schemas[schema] did not match a record. Schemas the
// prefilter turned away get no note: their reason is worked out again only
// for records that end up failing.
type note struct {
	schema int
	reason string
}

func (c *Classifier) newRun(src Source, cluster string, schemas []*schema, records [][]byte, results []Result) *run {
	return &run{c: c, src: src, cluster: cluster, schemas: schemas, records: records, results: results,
		notes: make([][]note, len(records))}
}

func (r *run) classify(ctx context.Context) error {
	r.w = r.c.workers.Get().(*worker)
	defer r.c.workers.Put(r.w)
	pending := make([]int, len(r.records))
	for i := range pending {
		pending[i] = i
	}
	for si := range r.schemas {
		if len(pending) == 0 {
			break
		}
		send, left := r.prefilter(si, pending)
		for _, chunk := range r.chunks(send) {
			rest, err := r.parse(ctx, si, chunk)
			if err != nil {
				return err
			}
			left = append(left, rest...)
		}
		slices.Sort(left)
		pending = left
	}
	for _, i := range pending {
		r.results[i].Failure = r.c.failure(r.src, r.cluster, r.records[i], r.attempts(i, len(r.schemas)))
	}
	return nil
}

// prefilter splits pending into the records to send to schema si's parser
// and those it is certain to reject.
func (r *run) prefilter(si int, pending []int) (send, rejected []int) {
	p := &r.schemas[si].pre
	if !p.on {
		return pending, nil
	}
	if r.docs == nil {
		r.docs = make([]docKeys, len(r.records))
	}
	for _, i := range pending {
		d := &r.docs[i]
		if !d.read {
			d.load(r.records[i], &r.w.doc)
		}
		if p.rejects(d) {
			rejected = append(rejected, i)
		} else {
			send = append(send, i)
		}
	}
	return send, rejected
}

// chunks cuts the records to send into parser calls of bounded size.
func (r *run) chunks(idx []int) [][]int {
	var out [][]int
	start, size := 0, 0
	for k, i := range idx {
		n := len(r.records[i])
		if k > start && (size+n > r.c.opts.ChunkBytes || k-start >= r.c.opts.ChunkRecords) {
			out = append(out, idx[start:k])
			start, size = k, 0
		}
		size += n
	}
	if start < len(idx) {
		out = append(out, idx[start:])
	}
	return out
}

// parse sends the records idx to schema si's parser and takes the records
// it classifies; it returns those left unclassified.
func (r *run) parse(ctx context.Context, si int, idx []int) ([]int, error) {
	s := r.schemas[si]
	req := saplugin.ParseRequest{LogType: string(s.name), Schema: s.raw.RawSchema, Options: s.raw.RawConfiguration,
		Records: make([][]byte, len(idx))}
	for k, i := range idx {
		req.Records[k] = r.records[i]
	}
	res, err := r.c.parsers.Parse(ctx, s.parser, req)
	if err == nil && len(res) != len(idx) {
		err = fmt.Errorf("parser %s returned %d results for %d records", s.parser, len(res), len(idx))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if pluginhost.Transient(err) {
			return nil, fmt.Errorf("classify: %s: %w", s.name, err)
		}
		reason := clip("parser failed the batch: "+errMessage(err), maxReason)
		// Every record of the chunk fails this schema for a reason that is
		// the schema's or the plugin's, not the records': say so once.
		r.c.log.Warn("parser failed a batch; its records go on to the next schemas",
			"log_type", string(s.name), "parser", s.parser, "records", len(idx), "error", errMessage(err))
		for _, i := range idx {
			r.notes[i] = append(r.notes[i], note{si, reason})
		}
		return idx, nil
	}
	var left []int
	for k, i := range idx {
		if !r.take(si, i, res[k]) {
			left = append(left, i)
		}
	}
	return left, nil
}

// errMessage renders a parser's error; a gRPC status from a linked-in
// parser reads as it would through the plugin host: "Code: message".
func errMessage(err error) string {
	if se, ok := err.(interface{ GRPCStatus() *status.Status }); ok {
		st := se.GRPCStatus()
		return st.Code().String() + ": " + st.Message()
	}
	return err.Error()
}
