package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/deadletter"
	"github.com/streamalert-go/sa/host/payload"
)

// classifyFlags are the flags of sa classify and sa validate-schemas.
type classifyFlags struct {
	conf    string
	parsers string
}

func (f *classifyFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.conf, "conf", "", "StreamAlert conf/ directory (required)")
	cmd.Flags().StringVar(&f.parsers, "parsers", "auto", "parsers to use: plugin (installed parser plugins), builtin (linked in), or auto (a plugin when installed, else built in)")
	_ = cmd.MarkFlagRequired("conf")
}

// classifier loads the configuration and builds a classifier; closing
// stops any parser plugin it started.
func (f *classifyFlags) classifier(g *globals) (*config.Config, *classify.Classifier, func(), error) {
	cfg, err := config.Load(f.conf)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--conf %s:\n%w", f.conf, err)
	}
	var parsers classify.Parsers
	closer := func() {}
	switch f.parsers {
	case "builtin":
		parsers = classify.Builtin()
	case "plugin", "auto":
		h := g.host(true)
		closer = h.Close
		parsers = h
		if f.parsers == "auto" {
			parsers = classify.Fallback(h, classify.Builtin())
		}
	default:
		return nil, nil, nil, fmt.Errorf("--parsers %q: want auto, plugin or builtin", f.parsers)
	}
	c, err := classify.New(cfg, classify.Options{Parsers: parsers})
	if err != nil {
		closer()
		return nil, nil, nil, err
	}
	return cfg, c, closer, nil
}

func newClassifyCmd(g *globals) *cobra.Command {
	var f classifyFlags
	var service, source, dlDir string
	var store, replay, resume, object bool
	cmd := &cobra.Command{
		Use:   "classify --conf DIR --service S --source R [FILE|-]",
		Short: "Classify raw records against the schemas of a StreamAlert conf/ directory",
		Long: `Classify the records of FILE (or standard input) as arriving from resource R of
service S (kinesis, s3, sns, streamalert_app), and print each classified record
as a line of JSON: {"cluster", "log_schema_type", "record", "service",
"resource", "data_type"}, as StreamAlert hands records to its rules. The input
may be a JSON array of records, JSON lines, raw lines or one JSON document,
gzip'd or not (with --object, a JSON array is one record, as in an S3 object). Records that fail go to standard error with the reason each
schema gave; the exit status is 1 if any failed. --store-failed also keeps them
in the dead-letter store.

With --replay-failed, the records in the dead-letter store are classified again
with the current schemas; those that now classify are printed and leave the
store.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dlDir == "" {
				dlDir = filepath.Join(g.home, "deadletter")
			}
			_, c, closer, err := f.classifier(g)
			if err != nil {
				return err
			}
			defer closer()
			out := &classifyOutput{w: cmd.OutOrStdout(), errw: cmd.ErrOrStderr()}
			if replay {
				return replayFailed(cmd.Context(), c, dlDir, resume, out)
			}
			if service == "" || source == "" {
				return fmt.Errorf("--service and --source are required to classify input")
			}
			var dl *deadletter.Store
			if store {
				if dl, err = deadletter.Open(dlDir, deadletter.Options{}); err != nil {
					return err
				}
				defer dl.Close()
			}
			read := payload.ReadBody
			if object {
				read = payload.ReadObject
			}
			return classifyInput(cmd, c, payload.Source{Service: service, Resource: source}, args, read, out, dl)
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&service, "service", "", "service the records arrive from: kinesis, s3, sns or streamalert_app")
	fl.StringVar(&source, "source", "", "resource within the service: stream, bucket, topic or app name, as data_sources lists it")
	fl.StringVar(&dlDir, "deadletter", "", "dead-letter store directory (default $SA_HOME/deadletter)")
	fl.BoolVar(&store, "store-failed", false, "keep records that fail in the dead-letter store")
	fl.BoolVar(&replay, "replay-failed", false, "classify the dead-letter store's records again instead of input")
	fl.BoolVar(&resume, "resume", false, "with --replay-failed, continue an interrupted replay where it stopped")
	fl.BoolVar(&object, "object", false, "read the input as StreamAlert reads an S3 object: a JSON array is one record, not a batch")
	return cmd
}

// classifyInput reads FILE or standard input with read and classifies
// what it yields.
func classifyInput(cmd *cobra.Command, c *classify.Classifier, src payload.Source, args []string,
	read func(context.Context, payload.Source, io.Reader, payload.Limits, payload.EmitFunc) error, out *classifyOutput, dl *deadletter.Store) error {
	var r io.Reader = cmd.InOrStdin()
	if len(args) == 1 && args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	ctx := cmd.Context()
	err := read(ctx, src, r, payload.Limits{}, func(b payload.Batch) error {
		var entries []deadletter.Entry
		for _, fl := range b.Failures {
			out.undecoded(b.Source, fl)
			entries = append(entries, deadletter.FromPayload(b.Source, fl))
		}
		results, err := c.Classify(ctx, classify.Source(b.Source), b.Records)
		if err != nil {
			return err
		}
		for _, res := range results {
			out.result(res, nil)
			if res.Failure != nil {
				entries = append(entries, deadletter.FromClassify(res.Failure))
			}
		}
		if dl != nil && len(entries) > 0 {
			return dl.Put(entries)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if out.failed > 0 {
		fmt.Fprintf(out.errw, "%d of %d input records failed\n", out.failed, out.n)
		return exitError{1}
	}
	return nil
}

// replayFailed classifies the dead-letter store's records again, prints
// those that now classify and resolves them.
func replayFailed(ctx context.Context, c *classify.Classifier, dir string, resume bool, out *classifyOutput) error {
	dl, err := deadletter.Open(dir, deadletter.Options{})
	if err != nil {
		return err
	}
	defer dl.Close()
	st, err := dl.Replay(ctx, deadletter.Filter{}, resume, func(ctx context.Context, e deadletter.Entry) (bool, error) {
		results, err := c.Classify(ctx, e.Source(), [][]byte{e.Raw})
		if err != nil {
			return false, err
		}
		res := results[0]
		if res.Failure != nil {
			out.failedReplay(e, res.Failure)
			return false, nil
		}
		var only []int // a partial failure's other records were delivered already
		for _, r := range e.Rejected {
			only = append(only, r.Index)
		}
		out.result(res, only)
		return true, nil
	})
	fmt.Fprintf(out.errw, "replayed %d records: %d fixed, %d still failing, %d not replayable (decode failures, truncated records)\n",
		st.Tried, st.Fixed, st.Failing, st.Skipped)
	if err != nil {
		return err
	}
	if st.Failing > 0 {
		return exitError{1}
	}
	return nil
}

// classifyOutput prints classified records and failures.
type classifyOutput struct {
	w, errw io.Writer
	n       int // input records seen
	failed  int
}

// result prints the records of one raw record (those at indexes only, when
// given) and its failure.
func (o *classifyOutput) result(res classify.Result, only []int) {
	o.n++
	for _, rec := range res.Records {
		if only != nil && !slices.Contains(only, rec.Index) {
			continue
		}
		fmt.Fprintf(o.w, "%s\n", recordLine(rec))
	}
	if res.Failure != nil {
		o.failed++
		o.failure(fmt.Sprintf("record %d", o.n), res.Failure)
	}
}

// recordLine renders a record as StreamAlert's classifier sends it to the
// rules engine.
func recordLine(rec classify.Record) []byte {
	b := []byte(`{"cluster":`)
	b = rawjson.AppendQuote(b, rec.Cluster)
	b = append(b, `,"log_schema_type":`...)
	b = rawjson.AppendQuote(b, string(rec.LogType))
	b = append(b, `,"record":`...)
	b = append(b, rec.Data...)
	for _, kv := range [][2]string{{"service", rec.Source.Service}, {"resource", rec.Source.Resource}, {"data_type", rec.Parser}} {
		b = append(b, `,"`+kv[0]+`":`...)
		b = rawjson.AppendQuote(b, kv[1])
	}
	return append(b, '}')
}

func (o *classifyOutput) failure(what string, f *classify.Failure) {
	if f.LogType != "" {
		fmt.Fprintf(o.errw, "%s from %s (%d bytes): %s rejected %d of its records:\n", what, f.Source, f.Size, f.LogType, len(f.Rejected))
		for _, r := range f.Rejected {
			fmt.Fprintf(o.errw, "  record %d: %s\n", r.Index+1, r.Reason)
		}
		return
	}
	fmt.Fprintf(o.errw, "%s from %s (%d bytes) matches no schema:\n", what, f.Source, f.Size)
	for _, a := range f.Attempts {
		name := string(a.LogType)
		if name == "" {
			name = "source"
		}
		fmt.Fprintf(o.errw, "  %s: %s\n", name, a.Reason)
	}
}

func (o *classifyOutput) undecoded(src payload.Source, f payload.Failure) {
	o.n++
	o.failed++
	fmt.Fprintf(o.errw, "input from %s/%s not decoded: %s\n", src.Service, src.Resource, f.Reason)
}

func (o *classifyOutput) failedReplay(e deadletter.Entry, f *classify.Failure) {
	o.failure("dead-letter entry "+e.ID, f)
}
