package parsekit

import (
	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

// Options is a schema's "configuration" object. Parsers read the keys they
// use and ignore the rest, which belong to the host (log_patterns,
// optional_top_level_keys, priority, normalization, ...).
type Options struct {
	values map[string][]byte
}

// ReadOptions reads a configuration object; empty input or null is an empty
// configuration.
func ReadOptions(raw []byte) (Options, error) {
	o := Options{values: map[string][]byte{}}
	if len(jsonx.Trim(raw)) == 0 {
		return o, nil
	}
	doc, err := jsonx.Check(raw)
	if err != nil {
		return o, Invalid("configuration: %v", err)
	}
	switch jsonx.KindOf(doc) {
	case jsonx.Null:
		return o, nil
	case jsonx.Object:
	default:
		return o, Invalid("configuration is %s, not an object", jsonx.KindOf(doc))
	}
	for k, v := range jsonx.Members(doc) {
		o.values[jsonx.Unquote(k)] = v // the last of duplicate keys wins, as in Python
	}
	return o, nil
}

// String returns the string option name; absent and null read as "".
func (o Options) String(name string) (string, error) {
	v, ok := o.values[name]
	if !ok || jsonx.KindOf(v) == jsonx.Null {
		return "", nil
	}
	if jsonx.KindOf(v) != jsonx.String {
		return "", Invalid("configuration %q is %s, not a string", name, jsonx.KindOf(v))
	}
	return jsonx.Unquote(v), nil
}

// Has reports whether name is set to something other than null.
func (o Options) Has(name string) bool {
	v, ok := o.values[name]
	return ok && jsonx.KindOf(v) != jsonx.Null
}

// Bool returns the boolean option name; absent and null read as false.
// Python would take any truthy value, so "false" would mean true there; a
// string is refused here rather than read either way.
func (o Options) Bool(name string) (bool, error) {
	v, ok := o.values[name]
	if !ok || jsonx.KindOf(v) == jsonx.Null {
		return false, nil
	}
	if jsonx.KindOf(v) != jsonx.Bool {
		return false, Invalid("configuration %q is %s, not a boolean", name, jsonx.KindOf(v))
	}
	return v[0] == 't', nil
}

// Keys returns the keys of the object option name in order, each once;
// absent and null read as none.
func (o Options) Keys(name string) ([]string, error) {
	v, ok := o.values[name]
	if !ok || jsonx.KindOf(v) == jsonx.Null {
		return nil, nil
	}
	if jsonx.KindOf(v) != jsonx.Object {
		return nil, Invalid("configuration %q is %s, not an object", name, jsonx.KindOf(v))
	}
	var keys []string
	seen := map[string]bool{}
	for k := range jsonx.Members(v) {
		if name := jsonx.Unquote(k); !seen[name] {
			seen[name] = true
			keys = append(keys, name)
		}
	}
	return keys, nil
}

// Field is one key of a schema, in schema order. A key whose type is an
// object is Nested: the csv parser reads that column as CSV in its own right.
type Field struct {
	Name   string
	Nested bool
	Fields []Field // of a nested key, in order
}

// ReadSchema reads the keys of a schema object in order. As in Python's
// OrderedDict, a key written twice keeps its first position and its last
// value.
func ReadSchema(raw []byte) ([]Field, error) {
	doc, err := jsonx.Check(raw)
	if err != nil {
		return nil, Invalid("schema: %v", err)
	}
	if jsonx.KindOf(doc) != jsonx.Object {
		return nil, Invalid("schema is %s, not an object", jsonx.KindOf(doc))
	}
	return fields(doc), nil
}

func fields(obj []byte) []Field {
	var out []Field
	index := map[string]int{}
	for k, v := range jsonx.Members(obj) {
		f := Field{Name: jsonx.Unquote(k), Nested: jsonx.KindOf(v) == jsonx.Object}
		if f.Nested {
			f.Fields = fields(v)
		}
		if i, ok := index[f.Name]; ok {
			out[i] = f
			continue
		}
		index[f.Name] = len(out)
		out = append(out, f)
	}
	return out
}

// Names returns the names of fields, in order.
func Names(fields []Field) []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}
