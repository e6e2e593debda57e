package streamquery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// SchemaVersion is streamquery_schema_version, which the
// streamquery:version1 schema's log pattern (1.*.*) matches.
const SchemaVersion = "1.0.0"

// MaxRecordBytes is Kinesis's limit on a record: its data and partition
// key together.
const MaxRecordBytes = 1 << 20

// Record is what one Kinesis record carries: StreamAlert's StreamQuery
// result, which the streamquery:version1 schema classifies.
type Record struct {
	Version   string    `json:"streamquery_schema_version"`
	Execution Execution `json:"execution"`
	Data      Data      `json:"data"`
}

// Execution describes the query and how it ran.
type Execution struct {
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	Query            string            `json:"query"`
	QueryParameters  map[string]string `json:"query_parameters"`
	DataScanned      int64             `json:"data_scanned_in_bytes"`
	ExecutionTimeMs  int64             `json:"execution_time_ms"`
	Tags             []string          `json:"tags"`
	QueryExecutionID string            `json:"query_execution_id"`
	ConsoleLink      string            `json:"console_link"`
	// Error is set when the query failed, was cancelled, could not be
	// started or did not finish in time; rules can alert on it.
	Error *ExecutionError `json:"error,omitempty"`
}

// ExecutionError says why a query has no (complete) result.
type ExecutionError struct {
	Description string `json:"description"`
}

// Data is the result: the column names and the rows as objects of them,
// every value a string or null as Athena returns it. Count is the number
// of rows of the whole result. A result too big for one record is split
// by rows over Parts records, numbered from 1 by Part; both are absent
// when the result fits one record.
type Data struct {
	Headers []string          `json:"headers"`
	Rows    []json.RawMessage `json:"rows"`
	Count   int               `json:"count"`
	Part    int               `json:"part,omitempty"`
	Parts   int               `json:"parts,omitempty"`
}

// Result is a finished query's outcome, ready to be sent.
type Result struct {
	Execution Execution
	Headers   []string
	// Rows are the rows, each a JSON object already encoded.
	Rows []json.RawMessage
}

// Records encodes the result as the data of Kinesis records whose
// partition key is key: one record, or, when that is over Kinesis's
// limit, as many as the rows need, each with the execution and the
// headers. A single row too big for a record of its own has its longest
// values cut until it fits, and the execution's error says so.
func (r *Result) Records(key string) ([][]byte, error) {
	limit := MaxRecordBytes - len(key)
	rec := Record{Version: SchemaVersion, Execution: r.Execution,
		Data: Data{Headers: orEmpty(r.Headers), Rows: orEmptyRows(r.Rows), Count: len(r.Rows)}}
	if rec.Execution.QueryParameters == nil {
		rec.Execution.QueryParameters = map[string]string{}
	}
	if rec.Execution.Tags == nil {
		rec.Execution.Tags = []string{}
	}
	whole, err := json.Marshal(rec)
	if err != nil {
		return nil, fmt.Errorf("query %s: encode result: %w", r.Execution.Name, err)
	}
	if len(whole) <= limit {
		return [][]byte{whole}, nil
	}
	// The envelope of a part: everything but the rows, with room for the
	// largest part numbers.
	env := rec
	env.Data.Rows, env.Data.Part, env.Data.Parts = []json.RawMessage{}, 1<<30, 1<<30
	base, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("query %s: encode result: %w", r.Execution.Name, err)
	}
	room := limit - len(base)
	if room < 1024 {
		return nil, fmt.Errorf("query %s: the execution alone is %d bytes, too big for a %d-byte Kinesis record", r.Execution.Name, len(base), MaxRecordBytes)
	}
	groups, cut := splitRows(rec.Data.Rows, room)
	if cut > 0 {
		msg := fmt.Sprintf("%d rows were each over Kinesis's %d-byte record limit; their longest values were cut", cut, MaxRecordBytes)
		if rec.Execution.Error != nil {
			msg = rec.Execution.Error.Description + "; " + msg
		}
		rec.Execution.Error = &ExecutionError{Description: msg}
	}
	out := make([][]byte, len(groups))
	for i, g := range groups {
		part := rec
		part.Data.Rows, part.Data.Part, part.Data.Parts = g, i+1, len(groups)
		b, err := json.Marshal(part)
		if err != nil {
			return nil, fmt.Errorf("query %s: encode result: %w", r.Execution.Name, err)
		}
		if len(b) > limit {
			return nil, fmt.Errorf("query %s: part %d is %d bytes, over the %d-byte limit", r.Execution.Name, i+1, len(b), limit)
		}
		out[i] = b
	}
	return out, nil
}

// splitRows groups rows, in order, so that each group's rows with their
// separating commas take at most room bytes. A row bigger than room on
// its own is shrunk (see shrinkRow); cut counts those.
func splitRows(rows []json.RawMessage, room int) (groups [][]json.RawMessage, cut int) {
	// The execution's error may grow by a sentence when rows are cut.
	room -= 256
	var cur []json.RawMessage
	size := 0
	for _, row := range rows {
		if len(row) > room {
			row = shrinkRow(row, room)
			cut++
		}
		if len(cur) > 0 && size+1+len(row) > room {
			groups, cur, size = append(groups, cur), nil, 0
		}
		if len(cur) > 0 {
			size++
		}
		cur = append(cur, row)
		size += len(row)
	}
	if len(cur) > 0 || len(groups) == 0 {
		groups = append(groups, cur)
	}
	return groups, cut
}

// shrinkRow halves the row's longest string value until the encoded row
// fits room bytes, marking each cut value with a trailing "…".
func shrinkRow(row json.RawMessage, room int) json.RawMessage {
	var cols []column
	if err := decodeRow(row, &cols); err != nil {
		return json.RawMessage(`{}`)
	}
	for {
		b := encodeRow(cols)
		if len(b) <= room {
			return b
		}
		longest := -1
		for i, c := range cols {
			if c.value != nil && (longest < 0 || len(*c.value) > len(*cols[longest].value)) {
				longest = i
			}
		}
		if longest < 0 || len(*cols[longest].value) == 0 {
			return json.RawMessage(`{}`)
		}
		v := *cols[longest].value
		n := len(v) / 2
		for n > 0 && !utf8.RuneStart(v[n]) {
			n--
		}
		s := v[:n] + "…"
		if n == 0 {
			s = ""
		}
		cols[longest].value = &s
	}
}

// column is one value of a row: nil is SQL NULL.
type column struct {
	name  string
	value *string
}

// encodeRow encodes a row as a JSON object keeping the columns' order.
func encodeRow(cols []column) json.RawMessage {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c.name)
		b.Write(k)
		b.WriteByte(':')
		if c.value == nil {
			b.WriteString("null")
			continue
		}
		v, _ := json.Marshal(*c.value)
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// decodeRow reads back a row encodeRow wrote, in order.
func decodeRow(row json.RawMessage, cols *[]column) error {
	dec := json.NewDecoder(bytes.NewReader(row))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var v *string
		if err := dec.Decode(&v); err != nil {
			return err
		}
		name, _ := k.(string)
		*cols = append(*cols, column{name: name, value: v})
	}
	return nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyRows(r []json.RawMessage) []json.RawMessage {
	if r == nil {
		return []json.RawMessage{}
	}
	return r
}
