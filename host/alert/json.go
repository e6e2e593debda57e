package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// TimeLayout is the one way the JSON form writes a time: UTC, microseconds.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// wireAlert is the JSON form. encoding/json writes struct fields in
// declaration order, so keeping these in byte order of their names is what
// makes the key order the documented one.
type wireAlert struct {
	Cluster         string              `json:"cluster"`
	Context         json.RawMessage     `json:"context"`
	Created         wireTime            `json:"created"`
	Deliveries      *[]wireDelivery     `json:"deliveries,omitempty"`
	ID              string              `json:"id"`
	LogSource       string              `json:"log_source"`
	LogType         string              `json:"log_type"`
	MergeByKeys     []string            `json:"merge_by_keys"`
	MergeWindowSecs int64               `json:"merge_window_secs"`
	MergedFrom      []string            `json:"merged_from"`
	MergedInto      *string             `json:"merged_into,omitempty"`
	Outputs         []string            `json:"outputs"`
	Publishers      map[string][]string `json:"publishers"`
	Record          json.RawMessage     `json:"record"`
	RuleDescription string              `json:"rule_description"`
	RuleName        string              `json:"rule_name"`
	Severity        string              `json:"severity"`
	SourceEntity    string              `json:"source_entity"`
	SourceService   string              `json:"source_service"`
	Staged          bool                `json:"staged"`
	Tags            []string            `json:"tags"`
}

type wireDelivery struct {
	Attempts    int      `json:"attempts"`
	Error       string   `json:"error"`
	LastAttempt wireTime `json:"last_attempt"`
	LeasedUntil wireTime `json:"leased_until"`
	NextAttempt wireTime `json:"next_attempt"`
	Output      string   `json:"output"`
	SentAt      wireTime `json:"sent_at"`
	Status      Status   `json:"status"`
}

// MarshalJSON writes the full JSON form described in the package doc.
func (a Alert) MarshalJSON() ([]byte, error) {
	w := a.wire()
	ds := make([]wireDelivery, 0, len(a.Deliveries))
	for _, d := range a.Deliveries {
		ds = append(ds, wireDelivery{
			Attempts: d.Attempts, Error: d.Error, LastAttempt: wireTime(d.LastAttempt),
			LeasedUntil: wireTime(d.LeasedUntil), NextAttempt: wireTime(d.NextAttempt),
			Output: d.Output, SentAt: wireTime(d.SentAt), Status: d.Status,
		})
	}
	slices.SortFunc(ds, func(x, y wireDelivery) int { return strings.Compare(x.Output, y.Output) })
	w.Deliveries = &ds
	w.MergedInto = &a.MergedInto
	return encode(w)
}

// Payload writes the form output plugins receive: the full form without
// "deliveries" and "merged_into", so it does not change between attempts.
func (a *Alert) Payload() ([]byte, error) {
	return encode(a.wire())
}

func (a *Alert) wire() wireAlert {
	pubs := make(map[string][]string, len(a.Publishers))
	for k, v := range a.Publishers {
		pubs[k] = orEmpty(v)
	}
	return wireAlert{
		Cluster: a.Cluster, Context: a.Context, Created: wireTime(a.Created), ID: a.ID,
		LogSource: a.LogSource, LogType: a.LogType,
		MergeByKeys: orEmpty(sortedSet(a.MergeByKeys)), MergeWindowSecs: int64(a.MergeWindow / time.Second),
		MergedFrom: orEmpty(sortedSet(a.MergedFrom)), Outputs: orEmpty(sortedSet(a.Outputs)),
		Publishers: pubs, Record: a.Record, RuleDescription: a.RuleDescription, RuleName: a.RuleName,
		Severity: a.Severity, SourceEntity: a.SourceEntity, SourceService: a.SourceService,
		Staged: a.Staged, Tags: orEmpty(sortedSet(a.Tags)),
	}
}

func encode(w wireAlert) ([]byte, error) {
	if len(w.Context) == 0 {
		w.Context = json.RawMessage("{}")
	}
	if len(w.Record) == 0 {
		w.Record = json.RawMessage("{}")
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, fmt.Errorf("alert: encode %s: %w", w.ID, err)
	}
	return b, nil
}

// UnmarshalJSON reads either form. Unknown keys are ignored so that an older
// sa can read alerts a newer one wrote; content is not validated here (see
// [Alert.Validate]).
func (a *Alert) UnmarshalJSON(data []byte) error {
	var w wireAlert
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("alert: decode: %w", err)
	}
	if w.MergeWindowSecs < 0 || w.MergeWindowSecs > maxWindowSecs {
		return fmt.Errorf("alert: decode: merge_window_secs %d is out of range", w.MergeWindowSecs)
	}
	*a = Alert{
		ID: w.ID, RuleName: w.RuleName, RuleDescription: w.RuleDescription, Severity: w.Severity,
		Tags: sortedSet(w.Tags), Record: compact(w.Record), Context: compact(w.Context),
		Outputs: sortedSet(w.Outputs), Publishers: w.Publishers,
		Cluster: w.Cluster, LogSource: w.LogSource, LogType: w.LogType,
		SourceService: w.SourceService, SourceEntity: w.SourceEntity,
		Created: time.Time(w.Created), Staged: w.Staged,
		MergeByKeys: sortedSet(w.MergeByKeys), MergeWindow: time.Duration(w.MergeWindowSecs) * time.Second,
		MergedFrom: sortedSet(w.MergedFrom),
	}
	if len(a.Publishers) == 0 {
		a.Publishers = nil
	}
	for k, v := range a.Publishers {
		if len(v) == 0 {
			a.Publishers[k] = nil
		}
	}
	if w.MergedInto != nil {
		a.MergedInto = *w.MergedInto
	}
	if w.Deliveries != nil {
		a.Deliveries = fromWire(*w.Deliveries)
	}
	return nil
}

func fromWire(ws []wireDelivery) []Delivery {
	var ds []Delivery
	for _, d := range ws {
		ds = append(ds, Delivery{
			Output: d.Output, Status: d.Status, Attempts: d.Attempts, Error: d.Error,
			LastAttempt: time.Time(d.LastAttempt), NextAttempt: time.Time(d.NextAttempt),
			LeasedUntil: time.Time(d.LeasedUntil), SentAt: time.Time(d.SentAt),
		})
	}
	slices.SortFunc(ds, func(x, y Delivery) int { return strings.Compare(x.Output, y.Output) })
	return ds
}

// maxWindowSecs is the longest window a time.Duration holds.
const maxWindowSecs = int64(math.MaxInt64 / time.Second)

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// wireTime is a time in [TimeLayout], null when zero. Reading accepts any
// RFC 3339 time and keeps microseconds, so what it reads writes back the same.
type wireTime time.Time

func (t wireTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).UTC().Format(TimeLayout) + `"`), nil
}

func (t *wireTime) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = wireTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time: %w", err)
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("time: %w", err)
	}
	v = v.UTC().Truncate(time.Microsecond)
	if y := v.Year(); y < 1 || y > 9999 {
		return fmt.Errorf("time %s: year %d cannot be written back in RFC 3339", s, y)
	}
	*t = wireTime(v)
	return nil
}
