package testevent

import (
	"context"
	"errors"
	"time"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/payload"
)

// Outcome is what running one event gave.
type Outcome struct {
	Event *Event
	// Found is the log type of the first record classified, "" when none
	// was: what StreamAlert compares with the event's log.
	Found    config.LogType
	Records  []classify.Record
	Failures []classify.Failure // records not classified, whole or in part
	// Undecoded are parts of the delivery that yielded no record.
	Undecoded []payload.Failure
	// Err is set when the event could not be run at all.
	Err error
}

// Passed reports whether the event was classified as it expects.
func (o *Outcome) Passed() bool { return o.Err == nil && string(o.Found) == o.Event.Log }

// Runner runs test events against a configuration.
type Runner struct {
	Config     *config.Config
	Classifier *classify.Classifier
	// Now is the time helpers are computed from (time.Now).
	Now func() time.Time
}

// Run delivers, decodes and classifies one event. An error in Outcome.Err
// means the event is unusable or the classifier could not run; a record
// that merely does not classify is in Failures.
func (r *Runner) Run(ctx context.Context, e *Event) Outcome {
	out := Outcome{Event: e}
	if _, ok := r.Config.Schema(config.LogType(e.Log)); !ok && len(e.Problems) == 0 {
		e.problem("log %q is not a log type of this configuration", e.Log)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	rec, err := e.Record(r.Config, now())
	if err != nil {
		out.Err = err
		return out
	}
	err = deliver(ctx, e, rec, func(b payload.Batch) error {
		out.Undecoded = append(out.Undecoded, b.Failures...)
		if len(b.Records) == 0 {
			return nil
		}
		src := classify.Source{Service: b.Source.Service, Resource: b.Source.Resource}
		results, err := r.Classifier.Classify(ctx, src, b.Records)
		if err != nil {
			return err
		}
		out.add(results)
		return nil
	})
	if err != nil {
		out.Err = err
	} else if len(out.Records) == 0 && len(out.Failures) == 0 && len(out.Undecoded) == 0 {
		out.Err = errors.New("the delivery held no records")
	}
	return out
}

func (o *Outcome) add(results []classify.Result) {
	for _, res := range results {
		if o.Found == "" && len(res.Records) > 0 {
			o.Found = res.Records[0].LogType
		}
		o.Records = append(o.Records, res.Records...)
		if res.Failure != nil {
			o.Failures = append(o.Failures, *res.Failure)
		}
	}
}
