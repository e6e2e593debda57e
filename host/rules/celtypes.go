package rules

import (
	"fmt"
	"strings"

	"cel.dev/cel-go/common/types"
)

// Keys the classifier and the engine add to records besides the schema's
// own fields. Each is a field of every log type's record type, so a rule
// may read it (`record.?streamalert_normalization`), though a record only
// has it when the log type or the threat intel configuration provides it.
const (
	keyEnvelope = "streamalert:envelope_keys"
	keyNormV2   = "streamalert_normalization"
	keyNormV1   = "streamalert:normalization"
	keyIOC      = "streamalert:ioc"
	keyRecordID = "streamalert_record_id"
)

// schemaTypes is the CEL type provider that makes records type-checked:
// every log type with a known schema is a struct type whose fields are the
// schema's keys, and every nested object with listed keys is one more.
// Values stay the decoded map[string]any; the field getters read them
// directly, so typing costs nothing per record.
type schemaTypes struct {
	*types.Registry
	structs map[string]*structType
	byLog   map[string]logTypes
}

// logTypes are the CEL types of one log type: its record and every
// nested object type inside it.
type logTypes struct {
	record *types.Type
	all    []*types.Type
}

type structType struct {
	names  []string
	fields map[string]*types.FieldType
}

func newSchemaTypes() (*schemaTypes, error) {
	reg, err := types.NewRegistry()
	if err != nil {
		return nil, fmt.Errorf("rules: cel registry: %w", err)
	}
	return &schemaTypes{Registry: reg, structs: map[string]*structType{}, byLog: map[string]logTypes{}}, nil
}

// addLog declares the record type of logType and returns its types.
func (st *schemaTypes) addLog(logType string, s Schema) logTypes {
	if t, ok := st.byLog[logType]; ok {
		return t
	}
	name := st.uniqueName("logs." + identPart(logType))
	var lt logTypes
	lt.record = st.addStruct(name, s.Fields, &lt.all)
	def := st.structs[name]
	if len(s.Envelope) > 0 {
		env := st.addStruct(st.uniqueName(name+".envelope_keys"), s.Envelope, &lt.all)
		def.add(keyEnvelope, env)
	}
	def.add(keyNormV2, types.NewMapType(types.StringType, types.DynType))
	def.add(keyNormV1, types.NewMapType(types.StringType, types.NewListType(types.StringType)))
	def.add(keyIOC, types.NewMapType(types.StringType, types.NewListType(types.StringType)))
	st.byLog[logType] = lt
	return lt
}

func (st *schemaTypes) addStruct(name string, fields []Field, all *[]*types.Type) *types.Type {
	def := &structType{fields: map[string]*types.FieldType{}}
	st.structs[name] = def
	for _, f := range fields {
		var ft *types.Type
		switch f.Kind {
		case KindString:
			ft = types.StringType
		case KindInteger:
			ft = types.IntType
		case KindFloat:
			ft = types.DoubleType
		case KindBoolean:
			ft = types.BoolType
		case KindList:
			ft = types.NewListType(types.DynType)
		case KindObject:
			ft = st.addStruct(st.uniqueName(name+"."+identPart(f.Name)), f.Fields, all)
		default:
			ft = types.DynType
		}
		def.add(f.Name, ft)
	}
	t := types.NewObjectType(name)
	*all = append(*all, t)
	return t
}

func (d *structType) add(name string, t *types.Type) {
	if _, dup := d.fields[name]; dup {
		return
	}
	d.names = append(d.names, name)
	d.fields[name] = &types.FieldType{Type: t, IsSet: isSet(name), GetFrom: getFrom(name)}
}

// isSet and getFrom read a field of a decoded record. The interpreter
// hands them the map itself (or a CEL value wrapping it, already unwrapped).
func isSet(name string) func(any) bool {
	return func(target any) bool {
		m, ok := target.(map[string]any)
		if !ok {
			return false
		}
		_, ok = m[name]
		return ok
	}
}

func getFrom(name string) func(any) (any, error) {
	return func(target any) (any, error) {
		m, ok := target.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("no such key: %s (value is %s)", name, jsonKind(target))
		}
		v, ok := m[name]
		if !ok {
			return nil, fmt.Errorf("no such key: %s", name)
		}
		return v, nil
	}
}

func (st *schemaTypes) uniqueName(name string) string {
	if _, taken := st.structs[name]; !taken {
		return name
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("%s_%d", name, i); st.structs[n] == nil {
			return n
		}
	}
}

// identPart makes s usable as one part of a CEL type name.
func identPart(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// FindStructType implements types.Provider.
func (st *schemaTypes) FindStructType(name string) (*types.Type, bool) {
	if _, ok := st.structs[name]; ok {
		return types.NewTypeTypeWithParam(types.NewObjectType(name)), true
	}
	return st.Registry.FindStructType(name)
}

// FindStructFieldNames implements types.Provider.
func (st *schemaTypes) FindStructFieldNames(name string) ([]string, bool) {
	if d, ok := st.structs[name]; ok {
		return d.names, true
	}
	return st.Registry.FindStructFieldNames(name)
}

// FindStructFieldType implements types.Provider.
func (st *schemaTypes) FindStructFieldType(name, field string) (*types.FieldType, bool) {
	if d, ok := st.structs[name]; ok {
		ft, ok := d.fields[field]
		return ft, ok
	}
	return st.Registry.FindStructFieldType(name, field)
}

var _ types.Provider = (*schemaTypes)(nil)
