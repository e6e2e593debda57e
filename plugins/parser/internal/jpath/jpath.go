// Package jpath evaluates StreamAlert's json_path option: a JMESPath
// expression that picks the records out of an enclosing document
// (CloudTrail's "Records[*]", CloudWatch Logs' "logEvents[*].message").
//
// Expressions made only of field names and at most one "[*]" projection —
// every json_path shipped with StreamAlert — are evaluated in place on the
// raw bytes, so each selected record is a sub-slice of the input: no decoding,
// exact numbers, memory that does not grow with the record. Any other
// expression is evaluated by github.com/jmespath/go-jmespath over a decoded
// tree; values it selects unchanged are still written out from the input
// bytes, and only values JMESPath builds itself (multiselects, function
// results) are encoded anew, with numbers as float64.
package jpath

import (
	"fmt"
	"slices"

	"github.com/jmespath/go-jmespath"

	"github.com/streamalert-go/sa/plugins/parser/internal/jsonx"
)

// Path is a compiled json_path expression, safe for concurrent use.
type Path struct {
	expr   string
	simple *simple
	jp     *jmespath.JMESPath
}

// Compile compiles a JMESPath expression.
func Compile(expr string) (*Path, error) {
	jp, err := jmespath.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("json_path %q: %w", expr, err)
	}
	return &Path{expr: expr, simple: parseSimple(expr), jp: jp}, nil
}

// String returns the expression.
func (p *Path) String() string { return p.expr }

// Select evaluates the expression on doc, a document jsonx.Check accepted,
// and returns what StreamAlert iterates over as records: nothing when the
// result is not truthy in Python's sense, the elements of a list result, or
// else the result alone. Each value is raw JSON.
func (p *Path) Select(doc []byte) ([][]byte, error) {
	if p.simple != nil {
		return p.simple.selectFrom(doc), nil
	}
	return p.search(doc)
}

// listOrValue turns one result into the values StreamAlert iterates.
func listOrValue(v []byte) [][]byte {
	if !jsonx.Truthy(v) {
		return nil
	}
	if jsonx.KindOf(v) != jsonx.Array {
		return [][]byte{v}
	}
	return slices.Collect(jsonx.Elements(v))
}
