package classify

import (
	"bytes"
	"slices"

	"github.com/streamalert-go/sa/host/classify/rawjson"
	"github.com/streamalert-go/sa/host/config"
)

// schema is a config.Schema prepared for checking records: lookups by key,
// the prefilter, and normalization lists resolved once.
type schema struct {
	name     config.LogType
	parser   string
	raw      *config.Schema
	fields   *fieldSet
	envelope *fieldSet // nil without envelope_keys
	patterns []pattern
	norm     []config.NormalizedField
	// v1 maps record keys to the normalized types of normalized_types.json
	// for the schema's family; v1.types is nil when the family has none.
	v1  v1Keys
	pre prefilter
	// extra estimates what a record grows by (defaults, normalization),
	// so its buffer is allocated once.
	extra int
}

// fieldSet is one level of a schema: its keys and types, indexed by name.
type fieldSet struct {
	fields   []config.Field
	index    map[string]int
	sub      []*fieldSet // per field: the nested level of an object type with keys
	optional []bool
	required int   // how many fields are not optional
	optOrder []int // optional fields in the order the configuration lists them
	// member holds, per optional field, `"name":default`, the member
	// written when the field is absent.
	member [][]byte
}

func newFieldSet(fields []config.Field, optional []string) *fieldSet {
	fs := &fieldSet{
		fields: fields, index: make(map[string]int, len(fields)),
		sub: make([]*fieldSet, len(fields)), optional: make([]bool, len(fields)),
	}
	for i, f := range fields {
		fs.index[f.Name] = i
		if f.Type.Kind == config.KindObject && len(f.Type.Fields) > 0 {
			fs.sub[i] = newFieldSet(f.Type.Fields, nil)
		}
	}
	for _, name := range optional {
		if i, ok := fs.index[name]; ok && !fs.optional[i] {
			fs.optional[i] = true
			fs.optOrder = append(fs.optOrder, i)
		}
	}
	fs.required = len(fields) - len(fs.optOrder)
	fs.member = make([][]byte, len(fields))
	for _, i := range fs.optOrder {
		m := rawjson.AppendQuote(nil, fields[i].Name)
		fs.member[i] = appendDefault(append(m, ':'), fields[i].Type)
	}
	return fs
}

// lookup returns the index of the field whose name is the string literal
// key, or -1.
func (fs *fieldSet) lookup(key []byte) int {
	inner := key[1 : len(key)-1]
	var i int
	var ok bool
	if bytes.IndexByte(inner, '\\') < 0 {
		i, ok = fs.index[string(inner)] // no allocation for the lookup
	} else {
		i, ok = fs.index[rawjson.Unquote(key)]
	}
	if !ok {
		return -1
	}
	return i
}

func compile(cfg *config.Config, s *config.Schema) *schema {
	c := &schema{
		name: s.Name, parser: s.Parser, raw: s,
		fields:   newFieldSet(s.Fields, s.Options.OptionalTopLevelKeys),
		patterns: compilePatterns(s.Options.LogPatterns),
		norm:     s.Options.Normalization,
	}
	if len(s.Options.EnvelopeKeys) > 0 {
		c.envelope = newFieldSet(s.Options.EnvelopeKeys, s.Options.OptionalEnvelopeKeys)
	}
	if types := cfg.NormalizedTypes[s.Name.Family()]; len(types) > 0 {
		byKey := map[string][]string{}
		for _, typ := range sortedKeys(types) {
			for _, key := range types[typ] {
				if !slices.Contains(byKey[key], typ) {
					byKey[key] = append(byKey[key], typ)
				}
			}
		}
		c.v1 = newV1Keys(byKey)
	}
	c.pre = newPrefilter(c)
	c.extra = 64
	for _, m := range c.fields.member {
		c.extra += len(m) + 1
	}
	if c.norm != nil || c.v1.types != nil {
		c.extra += 512
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
