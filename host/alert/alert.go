package alert

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ErrInvalid is wrapped by every error that rejects an alert's content, so a
// caller can tell a bad alert (a bug upstream, not worth retrying) from a
// store that is unavailable.
var ErrInvalid = errors.New("invalid alert")

// Alert is one rule firing on one record, with the delivery state of each of
// its outputs. The zero value is not valid; build alerts with [New].
type Alert struct {
	ID              string
	RuleName        string
	RuleDescription string
	Severity        string
	Tags            []string

	// Record is the classified record the rule matched: a JSON object.
	Record json.RawMessage
	// Context is the rule's context after the rule ran: a JSON object.
	Context json.RawMessage

	// Outputs are "service:descriptor" names, sorted.
	Outputs []string
	// Publishers maps an output to the publisher chain composing its
	// publication; see the reference's publisher rules for the lookup.
	Publishers map[string][]string

	Cluster       string
	LogSource     string // schema type, e.g. "cloudwatch:events"
	LogType       string // parser, e.g. "json"
	SourceService string
	SourceEntity  string

	Created time.Time
	Staged  bool

	MergeByKeys []string
	MergeWindow time.Duration
	// MergedFrom lists, on a merged alert, the alerts it replaced.
	MergedFrom []string
	// MergedInto is set by the store on an alert a merged alert replaced.
	MergedInto string

	// Deliveries holds one entry per output, sorted by output.
	Deliveries []Delivery
}

// Params is what a rule knows when it fires; [New] turns it into an alert.
type Params struct {
	RuleName        string
	RuleDescription string
	Severity        string
	Tags            []string
	Record          json.RawMessage
	Context         json.RawMessage
	Outputs         []string
	// Required outputs get every alert at once, even one that waits to be
	// merged (StreamAlert's aws-firehose:alerts). They are added to Outputs.
	Required      []string
	Publishers    map[string][]string
	Cluster       string
	LogSource     string
	LogType       string
	SourceService string
	SourceEntity  string
	Staged        bool
	MergeByKeys   []string
	// MergeWindow is kept to the second, the unit of the JSON form.
	MergeWindow time.Duration
	MergedFrom  []string
	// Created defaults to now; it is kept to the microsecond, in UTC.
	Created time.Time
	// ID, when set, is used instead of a fresh one (see DerivedID).
	ID string
}

// New builds a valid alert with a fresh id. Every output starts pending,
// except that an alert waiting to be merged holds its non-required outputs:
// the merged alert that replaces it will carry them (StreamAlert's
// remaining_outputs rule).
func New(p Params) (*Alert, error) {
	created := p.Created
	if created.IsZero() {
		created = time.Now()
	}
	created = created.UTC().Truncate(time.Microsecond)
	a := &Alert{
		ID: p.ID, RuleName: p.RuleName, RuleDescription: p.RuleDescription,
		Severity: p.Severity, Tags: sortedSet(p.Tags),
		Record: compact(p.Record), Context: compact(p.Context),
		Outputs: sortedSet(append(slices.Clone(p.Outputs), p.Required...)), Publishers: clonePublishers(p.Publishers),
		Cluster: p.Cluster, LogSource: p.LogSource, LogType: p.LogType,
		SourceService: p.SourceService, SourceEntity: p.SourceEntity,
		Created: created, Staged: p.Staged,
		MergeByKeys: sortedSet(p.MergeByKeys), MergeWindow: p.MergeWindow.Truncate(time.Second),
		MergedFrom: sortedSet(p.MergedFrom),
	}
	if a.ID == "" {
		a.ID = newID(created)
	}
	if len(a.Context) == 0 {
		a.Context = json.RawMessage("{}")
	}
	for _, o := range a.Outputs {
		st := Pending
		if a.MergeEnabled() && !slices.Contains(p.Required, o) {
			st = Held
		}
		a.Deliveries = append(a.Deliveries, Delivery{Output: o, Status: st})
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// Validate checks what the store and the outputs rely on. It is called by
// [New] and by stores before they write an alert.
func (a *Alert) Validate() error {
	switch {
	case a.ID == "":
		return invalid("id is empty")
	case a.RuleName == "":
		return invalid("rule name is empty")
	case a.Created.IsZero():
		return invalid("created is unset")
	case a.MergeWindow < 0:
		return invalid("merge window %s is negative", a.MergeWindow)
	}
	if err := checkObject("record", a.Record); err != nil {
		return err
	}
	if err := checkObject("context", a.Context); err != nil {
		return err
	}
	for _, o := range a.Outputs {
		if err := CheckOutput(o); err != nil {
			return err
		}
	}
	return a.checkDeliveries()
}

// CheckOutput reports whether name is "service:descriptor" with exactly one
// colon and both parts set, the only shape a dispatcher can route.
func CheckOutput(name string) error {
	svc, desc, ok := strings.Cut(name, ":")
	if !ok || svc == "" || desc == "" || strings.Contains(desc, ":") {
		return invalid("output %q is not service:descriptor", name)
	}
	return nil
}

func (a *Alert) checkDeliveries() error {
	if len(a.Deliveries) != len(a.Outputs) {
		return invalid("%d deliveries for %d outputs", len(a.Deliveries), len(a.Outputs))
	}
	for _, d := range a.Deliveries {
		if !slices.Contains(a.Outputs, d.Output) {
			return invalid("delivery for %q, which is not an output", d.Output)
		}
		if !d.Status.valid() {
			return invalid("delivery %q has unknown status %q", d.Output, d.Status)
		}
		if d.Status == Held && !a.MergeEnabled() {
			return invalid("delivery %q is held for a merge, but the alert does not wait to be merged", d.Output)
		}
	}
	return nil
}

func checkObject(what string, raw json.RawMessage) error {
	if !json.Valid(raw) {
		return invalid("%s is not valid JSON", what)
	}
	if b := bytes.TrimSpace(raw); len(b) == 0 || b[0] != '{' {
		return invalid("%s is not a JSON object", what)
	}
	return nil
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("alert: %w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// compact puts JSON in the form encoding/json writes it (no insignificant
// whitespace; <, >, &, U+2028 and U+2029 escaped), so that an alert in
// memory holds the very bytes it encodes to; invalid JSON is returned as is
// for Validate to report.
func compact(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var c bytes.Buffer
	if err := json.Compact(&c, raw); err != nil {
		return slices.Clone(raw)
	}
	var b bytes.Buffer
	json.HTMLEscape(&b, c.Bytes())
	return b.Bytes()
}

// sortedSet returns s sorted without duplicates or empty strings, nil when
// nothing is left, so that equal sets compare and encode equally.
func sortedSet(s []string) []string {
	out := slices.DeleteFunc(slices.Clone(s), func(v string) bool { return v == "" })
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) == 0 {
		return nil
	}
	return out
}

func clonePublishers(p map[string][]string) map[string][]string {
	if len(p) == 0 {
		return nil
	}
	out := make(map[string][]string, len(p))
	for k, v := range p {
		out[k] = slices.Clone(v)
	}
	return out
}
