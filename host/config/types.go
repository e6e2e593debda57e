package config

import "strings"

// Kind is what a schema type expression asks of a value.
type Kind uint8

// The kinds of StreamAlert's schema type language (reference §1.4,
// ParserBase._convert_type). The names are the strings the schema files
// use; casting rules (falsy values skip conversion, "boolean" is
// str(v).lower() == "true", ...) belong to the classifier, not here.
const (
	KindString  Kind = iota + 1 // "string"
	KindInteger                 // "integer"
	KindFloat                   // "float"
	KindBoolean                 // "boolean"
	KindList                    // [] or ["string"]: the value must be a list
	KindObject                  // {} or {"key": type, ...}
)

var kindNames = map[string]Kind{
	"string":  KindString,
	"integer": KindInteger,
	"float":   KindFloat,
	"boolean": KindBoolean,
}

var kindText = [...]string{KindString: "string", KindInteger: "integer", KindFloat: "float", KindBoolean: "boolean"}

// Type is one parsed type expression of a schema.
//
// A list type never constrains its elements: StreamAlert only checks that
// the value is a list, so whatever the file puts inside the brackets is
// documentation and is left in Schema.RawSchema.
//
// An object type with no Fields ({}) accepts any value at all, not only
// objects, because StreamAlert checks nested keys only when the
// sub-schema lists some. An object type with Fields requires exactly
// those keys, with no optional ones. In a csv schema an object type means
// "this column is itself a csv row with these columns".
type Type struct {
	Kind   Kind
	Fields []Field // KindObject only, in file order
}

// Field is one key of a schema with its type.
type Field struct {
	Name string
	Type Type
}

// Open reports whether t is the {} type, which accepts anything.
func (t Type) Open() bool { return t.Kind == KindObject && len(t.Fields) == 0 }

// String renders t in the schema files' own notation, nested objects
// inline: {"a": "string", "b": []}.
func (t Type) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t Type) write(b *strings.Builder) {
	switch t.Kind {
	case KindList:
		b.WriteString("[]")
	case KindObject:
		b.WriteByte('{')
		for i, f := range t.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(`"` + f.Name + `": `)
			f.Type.write(b)
		}
		b.WriteByte('}')
	default:
		if int(t.Kind) < len(kindText) {
			b.WriteString(`"` + kindText[t.Kind] + `"`)
		}
	}
}

// field returns the field called name, if any.
func field(fs []Field, name string) (Field, bool) {
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// parseFields decodes an object of type expressions, keeping file order.
func (f *file) parseFields(n *node, p jpath) []Field {
	if !f.want(n, p, kindObject) {
		return nil
	}
	out := make([]Field, 0, len(n.members))
	for _, m := range n.members {
		// A field whose type is wrong is kept with the zero Type, which
		// later checks treat as unknown, so one mistake is one problem.
		out = append(out, Field{Name: m.key, Type: f.parseType(m.val, p.key(m.key))})
	}
	return out
}

// parseType decodes one type expression. A type string StreamAlert does
// not know is an error here, although StreamAlert only fails at run time:
// there it makes every record of the log type invalid, which is never what
// the author meant.
func (f *file) parseType(n *node, p jpath) Type {
	switch n.kind {
	case kindString:
		if k, ok := kindNames[n.text]; ok {
			return Type{Kind: k}
		}
		f.errorf(n, p, "unknown type %q (want \"string\", \"integer\", \"float\", \"boolean\", [] or an object)", n.text)
	case kindArray:
		return Type{Kind: KindList}
	case kindObject:
		return Type{Kind: KindObject, Fields: f.parseFields(n, p)}
	default:
		f.errorf(n, p, "want a type (\"string\", \"integer\", \"float\", \"boolean\", [] or an object), got %s", n.kind)
	}
	return Type{}
}
