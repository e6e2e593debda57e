package rules

// Schemas describes the log types rules may name, so that conditions are
// type-checked against each log's fields when they load. The conf loader's
// schemas satisfy it through [ConfSchemas]; a nil Schemas turns the checks
// off and every record is typed dynamically.
type Schemas interface {
	// LogTypes lists every known log type.
	LogTypes() []string
	// Schema returns the schema of logType and whether the log type is
	// known.
	Schema(logType string) (Schema, bool)
}

// Schema is what the rules compiler needs of a log type.
type Schema struct {
	// Fields are the record's top-level keys with their types. Every one
	// is present on a classified record (optional keys are filled with
	// defaults).
	Fields []Field
	// Envelope lists the keys copied under "streamalert:envelope_keys",
	// none when the schema has no envelope.
	Envelope []Field
	// Normalized lists the normalized types records of this log type may
	// carry, from both the schema's normalization and
	// normalized_types.json. It decides which log types a rule on
	// datatypes is offered.
	Normalized []string
}

// Kind is the type of a schema field.
type Kind uint8

// The field kinds of StreamAlert's schema language.
const (
	KindAny     Kind = iota // {} in a schema: any JSON value, unchecked
	KindString              // "string"
	KindInteger             // "integer"
	KindFloat               // "float"
	KindBoolean             // "boolean"
	KindList                // []: a list of anything
	KindObject              // {"key": type, ...}: exactly these keys
)

// Field is one key of a schema.
type Field struct {
	Name string
	Kind Kind
	// Fields are the keys of a KindObject field.
	Fields []Field
}
