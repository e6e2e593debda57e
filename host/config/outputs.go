package config

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
)

// awsValueServices are the outputs StreamAlert stores as {descriptor:
// resource name}; every other output is a list of descriptors whose
// secrets live elsewhere.
var awsValueServices = map[string]bool{
	"aws-firehose": true, "aws-lambda": true, "aws-s3": true, "aws-sns": true, "aws-sqs": true,
}

// Outputs is outputs.json, in file order so it can be written back
// unchanged.
type Outputs []OutputService

// OutputService is one key of outputs.json.
type OutputService struct {
	Service string // "slack", "aws-s3", or an output plugin's name
	// Mapped is true when the file holds {descriptor: resource} (the AWS
	// outputs with a resource name), false for a list of descriptors.
	Mapped  bool
	Targets []OutputTarget // in file order
}

// OutputTarget is one configured destination, addressed by rules as
// "service:descriptor".
type OutputTarget struct {
	Descriptor string
	Resource   string // the AWS resource name when Mapped, else ""
}

// Lookup finds the target "service:descriptor".
func (o Outputs) Lookup(service, descriptor string) (OutputTarget, bool) {
	for _, s := range o {
		if s.Service != service {
			continue
		}
		for _, t := range s.Targets {
			if t.Descriptor == descriptor {
				return t, true
			}
		}
	}
	return OutputTarget{}, false
}

// MarshalJSON writes StreamAlert's shape in the loaded order. Indented
// with two spaces (json.Indent) it reproduces what StreamAlert's CLI
// writes, so a file loaded and saved again is unchanged.
func (o Outputs) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, s := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, s.Service)
		b.WriteByte(':')
		open, close := byte('['), byte(']')
		if s.Mapped {
			open, close = '{', '}'
		}
		b.WriteByte(open)
		for j, t := range s.Targets {
			if j > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, t.Descriptor)
			if s.Mapped {
				b.WriteByte(':')
				writeJSONString(&b, t.Resource)
			}
		}
		b.WriteByte(close)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// writeJSONString writes s as Python's json.dumps does by default
// (ensure_ascii): everything outside printable ASCII as a lowercase \uXXXX
// escape, surrogate pairs above the BMP, and no HTML escaping, unlike
// encoding/json.
func writeJSONString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= ' ' && r <= '~':
			b.WriteRune(r)
		case pyEscapes[r] != "":
			b.WriteString(pyEscapes[r])
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(b, "\\u%04x\\u%04x", r1, r2)
		default:
			fmt.Fprintf(b, "\\u%04x", r)
		}
	}
	b.WriteByte('"')
}

var pyEscapes = map[rune]string{'\n': `\n`, '\r': `\r`, '\t': `\t`, '\b': `\b`, '\f': `\f`}

func (f *file) decodeOutputs() Outputs {
	if f.root == nil || !f.want(f.root, "", kindObject) {
		return nil
	}
	out := make(Outputs, 0, len(f.root.members))
	for _, m := range f.root.members {
		p := jpath("").key(m.key)
		s := OutputService{Service: m.key, Mapped: m.val.kind == kindObject}
		switch {
		case awsValueServices[m.key] && !s.Mapped:
			f.errorf(m.val, p, "want an object of descriptor to %s resource name", m.key)
		case !awsValueServices[m.key] && s.Mapped:
			f.errorf(m.val, p, "want a list of descriptors (only %s map descriptors to resource names)", "aws-firehose, aws-lambda, aws-s3, aws-sns and aws-sqs")
		case s.Mapped:
			for _, t := range m.val.members {
				if f.want(t.val, p.key(t.key), kindString) {
					s.Targets = append(s.Targets, OutputTarget{Descriptor: t.key, Resource: t.val.text})
					f.checkDescriptor(t.keyOff, p.key(t.key), t.key, nil)
				}
			}
		case f.want(m.val, p, kindArray):
			seen := map[string]bool{}
			for i, e := range m.val.elems {
				if f.want(e, p.index(i), kindString) {
					s.Targets = append(s.Targets, OutputTarget{Descriptor: e.text})
					f.checkDescriptor(e.start, p.index(i), e.text, seen)
				}
			}
		}
		out = append(out, s)
	}
	return out
}

// checkDescriptor applies StreamAlert's default input restriction (no
// space, no ':'; rules split "service:descriptor" on the colon) and, for a
// list, refuses a descriptor given twice, which would be ambiguous. (A
// mapped descriptor given twice is a duplicate key, which the parser
// reports.)
func (f *file) checkDescriptor(off int, p jpath, d string, seen map[string]bool) {
	switch {
	case d == "" || strings.ContainsAny(d, " :"):
		f.report(SeverityError, off, p, "descriptor %q must be non-empty without spaces or ':'", d)
	case seen[d]:
		f.report(SeverityError, off, p, "descriptor %q listed twice", d)
	}
	if seen != nil {
		seen[d] = true
	}
}
