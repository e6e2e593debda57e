package rules

import (
	"slices"

	"github.com/streamalert-go/sa/host/config"
)

// ConfSchemas adapts a loaded conf directory to [Schemas], keeping the
// rules package's dependency on the conf loader to this file.
func ConfSchemas(c *config.Config) Schemas {
	out := confSchemas{}
	for _, s := range c.Schemas {
		out[string(s.Name)] = convertSchema(c, s)
	}
	return out
}

type confSchemas map[string]Schema

// LogTypes implements Schemas.
func (c confSchemas) LogTypes() []string {
	out := make([]string, 0, len(c))
	for name := range c {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Schema implements Schemas.
func (c confSchemas) Schema(logType string) (Schema, bool) {
	s, ok := c[logType]
	return s, ok
}

func convertSchema(c *config.Config, s *config.Schema) Schema {
	out := Schema{Fields: convertFields(s.Fields), Envelope: convertFields(s.Options.EnvelopeKeys)}
	for _, nf := range s.Options.Normalization {
		out.Normalized = append(out.Normalized, nf.Name)
	}
	for name := range c.NormalizedTypes[s.Name.Family()] {
		out.Normalized = append(out.Normalized, name)
	}
	slices.Sort(out.Normalized)
	out.Normalized = slices.Compact(out.Normalized)
	return out
}

func convertFields(fs []config.Field) []Field {
	if len(fs) == 0 {
		return nil
	}
	out := make([]Field, len(fs))
	for i, f := range fs {
		out[i] = Field{Name: f.Name, Kind: convertKind(f.Type)}
		if out[i].Kind == KindObject {
			out[i].Fields = convertFields(f.Type.Fields)
		}
	}
	return out
}

// convertKind maps a conf type to a field kind. A type the conf loader
// could not parse (zero Kind) is typed as anything, so a broken schema
// costs no rule errors of its own.
func convertKind(t config.Type) Kind {
	switch t.Kind {
	case config.KindString:
		return KindString
	case config.KindInteger:
		return KindInteger
	case config.KindFloat:
		return KindFloat
	case config.KindBoolean:
		return KindBoolean
	case config.KindList:
		return KindList
	case config.KindObject:
		if t.Open() {
			return KindAny
		}
		return KindObject
	}
	return KindAny
}

var _ Schemas = confSchemas{}
