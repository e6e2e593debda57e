package plugin

import (
	"fmt"

	pluginv1 "github.com/streamalert-go/sa/sdk/gen/sa/plugin/v1"
	"github.com/streamalert-go/sa/sdk/schema"
)

// KindToProto converts a Kind to its protocol enum.
func KindToProto(k Kind) pluginv1.Kind {
	switch k {
	case KindParser:
		return pluginv1.Kind_KIND_PARSER
	case KindOutput:
		return pluginv1.Kind_KIND_OUTPUT
	case KindApp:
		return pluginv1.Kind_KIND_APP
	}
	return pluginv1.Kind_KIND_UNSPECIFIED
}

// KindFromProto converts a protocol enum to a Kind, or "" when unknown.
func KindFromProto(k pluginv1.Kind) Kind {
	switch k {
	case pluginv1.Kind_KIND_PARSER:
		return KindParser
	case pluginv1.Kind_KIND_OUTPUT:
		return KindOutput
	case pluginv1.Kind_KIND_APP:
		return KindApp
	}
	return ""
}

// ParseKind parses a kind name.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown plugin kind %q (want parser, output or app)", s)
}

var typeToProto = map[schema.Type]pluginv1.PropertyType{
	schema.String:     pluginv1.PropertyType_PROPERTY_TYPE_STRING,
	schema.Integer:    pluginv1.PropertyType_PROPERTY_TYPE_INTEGER,
	schema.Number:     pluginv1.PropertyType_PROPERTY_TYPE_NUMBER,
	schema.Boolean:    pluginv1.PropertyType_PROPERTY_TYPE_BOOLEAN,
	schema.StringList: pluginv1.PropertyType_PROPERTY_TYPE_STRING_LIST,
}

// SchemaToProto converts a schema to its protocol form.
func SchemaToProto(s schema.Schema) *pluginv1.Schema {
	out := &pluginv1.Schema{Properties: make([]*pluginv1.Property, len(s.Properties))}
	for i, p := range s.Properties {
		out.Properties[i] = &pluginv1.Property{
			Name:           p.Name,
			Type:           typeToProto[p.Type],
			Description:    p.Description,
			Required:       p.Required,
			Secret:         p.Secret,
			Credential:     p.Credential,
			Pattern:        p.Pattern,
			ForbiddenChars: p.ForbiddenChars,
			DefaultValue:   p.Default,
			Example:        p.Example,
			Descriptor_:    p.Descriptor,
		}
	}
	return out
}

// SchemaFromProto converts a protocol schema. An unspecified type reads as
// String; an unknown one is an error naming the property.
func SchemaFromProto(ps *pluginv1.Schema) (schema.Schema, error) {
	var s schema.Schema
	for _, p := range ps.GetProperties() {
		t, err := typeFromProto(p.GetType())
		if err != nil {
			return schema.Schema{}, fmt.Errorf("property %q: %w", p.GetName(), err)
		}
		s.Properties = append(s.Properties, schema.Property{
			Name:           p.GetName(),
			Type:           t,
			Description:    p.GetDescription(),
			Required:       p.GetRequired(),
			Secret:         p.GetSecret(),
			Credential:     p.GetCredential(),
			Pattern:        p.GetPattern(),
			ForbiddenChars: p.GetForbiddenChars(),
			Default:        p.GetDefaultValue(),
			Example:        p.GetExample(),
			Descriptor:     p.GetDescriptor_(),
		})
	}
	return s, nil
}

func typeFromProto(t pluginv1.PropertyType) (schema.Type, error) {
	if t == pluginv1.PropertyType_PROPERTY_TYPE_UNSPECIFIED {
		return schema.String, nil
	}
	for k, v := range typeToProto {
		if v == t {
			return k, nil
		}
	}
	return 0, fmt.Errorf("unknown property type %d", int32(t))
}

// ProblemsToProto converts problems to their protocol form.
func ProblemsToProto(ps []schema.Problem) []*pluginv1.Problem {
	out := make([]*pluginv1.Problem, len(ps))
	for i, p := range ps {
		out[i] = &pluginv1.Problem{Field: p.Field, Message: p.Message}
	}
	return out
}

// ProblemsFromProto converts protocol problems.
func ProblemsFromProto(ps []*pluginv1.Problem) []schema.Problem {
	out := make([]schema.Problem, len(ps))
	for i, p := range ps {
		out[i] = schema.Problem{Field: p.GetField(), Message: p.GetMessage()}
	}
	return out
}

func sendStatusToProto(s SendStatus) pluginv1.SendStatus {
	switch s {
	case Delivered:
		return pluginv1.SendStatus_SEND_STATUS_DELIVERED
	case Retryable:
		return pluginv1.SendStatus_SEND_STATUS_RETRYABLE
	case Permanent:
		return pluginv1.SendStatus_SEND_STATUS_PERMANENT
	}
	return pluginv1.SendStatus_SEND_STATUS_UNSPECIFIED
}

// SendStatusFromProto converts a protocol send status; unspecified is 0.
func SendStatusFromProto(s pluginv1.SendStatus) SendStatus {
	switch s {
	case pluginv1.SendStatus_SEND_STATUS_DELIVERED:
		return Delivered
	case pluginv1.SendStatus_SEND_STATUS_RETRYABLE:
		return Retryable
	case pluginv1.SendStatus_SEND_STATUS_PERMANENT:
		return Permanent
	}
	return 0
}
