package deploy

import (
	"fmt"
	"regexp"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/historical"
)

// HistoricalVar is infra/historical.tf's variable "historical": the data
// bucket, the streams' buffering and, by Athena table, the delivery stream
// writing it and its columns. Vars carries one only when the conf enables
// historical search (global.json infrastructure.firehose.enabled).
type HistoricalVar struct {
	Enabled        bool                       `json:"enabled"`
	Bucket         string                     `json:"bucket"`
	BufferSize     int                        `json:"buffer_size"`
	BufferInterval int                        `json:"buffer_interval"`
	Tables         map[string]HistoricalTable `json:"tables"`
}

// HistoricalTable is one table of historical search.
type HistoricalTable struct {
	Stream  string              `json:"stream"`
	Columns []historical.Column `json:"columns"`
}

// historyBucketRE matches the S3 bucket names sa creates: 3-63 lowercase
// letters, digits, '.' and '-', starting and ending with a letter or digit.
var historyBucketRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

const firehoseKey = "global.json infrastructure.firehose"

// addHistorical sets Historical from the conf: the tables of
// historical.Tables, each with the stream historical.StreamName gives its
// log type, the name the classifier puts its records on.
func (v *Vars) addHistorical(conf *config.Config) []error {
	fh := conf.Global.Infrastructure.Firehose
	if !fh.Enabled {
		return nil
	}
	h := &HistoricalVar{Enabled: true, Bucket: fh.BucketName, BufferSize: fh.BufferSize, BufferInterval: fh.BufferInterval,
		Tables: map[string]HistoricalTable{}}
	errs := h.check(v.Prefix)
	from := map[string]string{} // table → the log type it was made from
	for _, t := range historical.Tables(conf) {
		if other, dup := from[t.Name]; dup {
			if t.Name == historical.AlertsLogType {
				errs = append(errs, fmt.Errorf("%s.enabled_logs: log type %s makes the Athena table %s, the table of the alerts; remove it",
					firehoseKey, t.LogType, t.Name))
			} else {
				errs = append(errs, fmt.Errorf("%s.enabled_logs: log types %s and %s both make the Athena table %s; enable one of them",
					firehoseKey, other, t.LogType, t.Name))
			}
			continue
		}
		from[t.Name] = t.LogType
		for _, c := range t.Columns {
			if c.Name == historical.PartitionKey {
				errs = append(errs, fmt.Errorf("%s.enabled_logs: log type %s has a key that becomes column %q, the name of the partition column; remove it from enabled_logs",
					firehoseKey, t.LogType, c.Name))
			}
		}
		h.Tables[t.Name] = HistoricalTable{Stream: historical.StreamName(v.Prefix, fh.UsePrefix, t.LogType), Columns: t.Columns}
	}
	v.Historical = h
	return errs
}

// check checks what Firehose, S3 and Athena will accept.
func (h *HistoricalVar) check(prefix string) []error {
	var errs []error
	if !historyBucketRE.MatchString(h.Bucket) {
		errs = append(errs, fmt.Errorf("%s.bucket_name %q: want an S3 bucket name, 3-63 lowercase letters, digits, '.' or '-' (the default, <prefix>-streamalert-data, needs a prefix without '_')",
			firehoseKey, h.Bucket))
	}
	if results := prefix + "-streamalert-athena-results"; !historyBucketRE.MatchString(results) {
		errs = append(errs, fmt.Errorf("global.json account.prefix %q: historical search's query results bucket would be %q, which is not an S3 bucket name; use a prefix without '_'",
			prefix, results))
	}
	if h.BufferSize < 1 || h.BufferSize > 128 {
		errs = append(errs, fmt.Errorf("%s.buffer_size %d: want 1-128 (MiB)", firehoseKey, h.BufferSize))
	}
	if h.BufferInterval < 0 || h.BufferInterval > 900 {
		errs = append(errs, fmt.Errorf("%s.buffer_interval %d: want 0-900 (seconds)", firehoseKey, h.BufferInterval))
	}
	return errs
}
