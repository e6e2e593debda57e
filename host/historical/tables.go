package historical

import (
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// PartitionKey is the partition column of every table: the hour Firehose
// received the records, yyyy-MM-dd-HH in UTC, from the S3 prefix
// <table>/dt=.../.
const PartitionKey = "dt"

// Table is the Athena table of one log type's stream, or of the alerts
// stream.
type Table struct {
	// Name is the table's name (TableName of the log type, or "alerts").
	Name string
	// LogType is the log type whose records the table holds; AlertsLogType
	// for the alerts table.
	LogType string
	// Columns are the table's columns in schema order, not counting the
	// partition key.
	Columns []Column
}

// Column is one column with its Hive type, as Glue and Athena write it.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Tables returns the tables of historical search, sorted by name: one per
// log type Enabled, and "alerts". It returns none when conf does not
// enable historical search.
//
// A log type's columns are its schema's keys, sanitized as the records'
// keys are (see AppendRecord) and in lower case, as Athena and the JSON
// SerDe see them, with these types: string, integer, float and boolean
// become string, bigint, double and boolean; a nested object with keys a
// struct of them; {} (any value) and any list other than one of a single
// scalar type become string, which holds the value's JSON text; ["string"]
// and its like become array<string>, .... Then, when the records carry
// them, streamalert_envelope_keys (a struct of the envelope keys) and the
// normalization results, as JSON text: streamalert_normalization and
// streamalert_record_id. A key that sanitizes to the name of a column
// already listed gives no second column.
func Tables(conf *config.Config) []Table {
	if !conf.Global.Infrastructure.Firehose.Enabled {
		return nil
	}
	out := []Table{{Name: AlertsLogType, LogType: AlertsLogType, Columns: slices.Clone(alertColumns)}}
	for _, s := range conf.Schemas {
		if Enabled(conf, string(s.Name)) {
			out = append(out, Table{Name: TableName(string(s.Name)), LogType: string(s.Name), Columns: schemaColumns(conf, s)})
		}
	}
	slices.SortStableFunc(out, func(a, b Table) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// alertColumns are the keys of an alert's payload form (alert.Alert.Payload),
// in its order. Context, publishers and the record vary from rule to
// rule, so they are JSON text.
var alertColumns = []Column{
	{"cluster", "string"}, {"context", "string"}, {"created", "string"}, {"id", "string"},
	{"log_source", "string"}, {"log_type", "string"}, {"merge_by_keys", "array<string>"},
	{"merge_window_secs", "bigint"}, {"merged_from", "array<string>"}, {"outputs", "array<string>"},
	{"publishers", "string"}, {"record", "string"}, {"rule_description", "string"}, {"rule_name", "string"},
	{"severity", "string"}, {"source_entity", "string"}, {"source_service", "string"},
	{"staged", "boolean"}, {"tags", "array<string>"},
}

// The keys the classifier adds to records (see classify.Record.Data), as
// sanitized.
const (
	envelopeColumn      = "streamalert_envelope_keys"
	normalizationColumn = "streamalert_normalization"
	recordIDColumn      = "streamalert_record_id"
)

func schemaColumns(conf *config.Config, s *config.Schema) []Column {
	cols := fieldColumns(s.Fields, s.RawSchema)
	add := func(c Column) {
		if !slices.ContainsFunc(cols, func(x Column) bool { return x.Name == c.Name }) {
			cols = append(cols, c)
		}
	}
	if len(s.Options.EnvelopeKeys) > 0 {
		raw, _ := rawjson.Lookup(s.RawConfiguration, "envelope_keys")
		add(Column{envelopeColumn, structType(s.Options.EnvelopeKeys, raw)})
	}
	v1 := len(conf.NormalizedTypes[s.Name.Family()]) > 0
	if v1 || len(s.Options.Normalization) > 0 {
		add(Column{normalizationColumn, "string"})
	}
	if len(s.Options.Normalization) > 0 {
		add(Column{recordIDColumn, "string"})
	}
	return cols
}

// fieldColumns are the columns of fields; raw is the schema object they
// were read from, for the element types of lists.
func fieldColumns(fields []config.Field, raw []byte) []Column {
	cols := make([]Column, 0, len(fields))
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		name := strings.ToLower(Sanitize(f.Name))
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		val, _ := rawjson.Lookup(raw, f.Name)
		cols = append(cols, Column{name, hiveType(f.Type, val)})
	}
	return cols
}

// scalarTypes are the Hive types of the schema language's scalar types.
var scalarTypes = map[config.Kind]string{
	config.KindString: "string", config.KindInteger: "bigint", config.KindFloat: "double", config.KindBoolean: "boolean",
}

var scalarNames = map[string]string{"string": "string", "integer": "bigint", "float": "double", "boolean": "boolean"}

// hiveType is the Hive type of a schema type; raw is its expression in
// the schema file.
func hiveType(t config.Type, raw []byte) string {
	switch t.Kind {
	case config.KindObject:
		if t.Open() {
			return "string"
		}
		return structType(t.Fields, raw)
	case config.KindList:
		return listType(raw)
	}
	if h, ok := scalarTypes[t.Kind]; ok {
		return h
	}
	return "string"
}

func structType(fields []config.Field, raw []byte) string {
	var b strings.Builder
	b.WriteString("struct<")
	for i, c := range fieldColumns(fields, raw) {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.Name + ":" + c.Type)
	}
	b.WriteByte('>')
	return b.String()
}

// listType is array<T> for a list of one scalar type (["string"]), and
// string, the list's JSON text, for any other: an empty [] says nothing
// of its elements, and keys inside lists are not sanitized, so objects in
// them cannot be structs whose fields match.
func listType(raw []byte) string {
	var elems [][]byte
	for e := range rawjson.Elements(raw) {
		elems = append(elems, e)
	}
	if len(elems) == 1 && rawjson.KindOf(elems[0]) == rawjson.String {
		if h, ok := scalarNames[rawjson.Unquote(elems[0])]; ok {
			return "array<" + h + ">"
		}
	}
	return "string"
}
