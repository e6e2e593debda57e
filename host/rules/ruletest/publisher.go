package ruletest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/jmespath/go-jmespath"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/publish"
	"github.com/streamalert-go/sa/host/rules"
)

// publisherTest is one check of an event's publisher_tests: a JMESPath
// expression over the publication an output would get, a condition (is,
// in, contains) and the value it is held to.
type publisherTest struct {
	Expr      string
	Condition string
	Value     any
}

// decodePublisherTests reads publisher_tests: {"service:descriptor":
// [[expr, condition, value] | {"jmespath_expression", "condition",
// "value"}]}.
func decodePublisherTests(raw json.RawMessage) (map[string][]publisherTest, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var byOutput map[string][]json.RawMessage
	if err := json.Unmarshal(raw, &byOutput); err != nil {
		return nil, fmt.Errorf("publisher_tests: want an object of output to a list of tests: %w", err)
	}
	out := map[string][]publisherTest{}
	for output, tests := range byOutput {
		for i, t := range tests {
			pt, err := decodePublisherTest(t)
			if err != nil {
				return nil, fmt.Errorf("publisher_tests[%q][%d]: %w", output, i, err)
			}
			if _, err := jmespath.Compile(pt.Expr); err != nil {
				return nil, fmt.Errorf("publisher_tests[%q][%d]: JMESPath %q: %w", output, i, pt.Expr, err)
			}
			switch pt.Condition {
			case "is", "in", "contains":
			default:
				return nil, fmt.Errorf("publisher_tests[%q][%d]: condition %q: want is, in or contains", output, i, pt.Condition)
			}
			out[output] = append(out[output], pt)
		}
	}
	return out, nil
}

func decodePublisherTest(raw json.RawMessage) (publisherTest, error) {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		if len(list) != 3 {
			return publisherTest{}, fmt.Errorf("want [expression, condition, value], got %d items", len(list))
		}
		var pt publisherTest
		if json.Unmarshal(list[0], &pt.Expr) != nil || json.Unmarshal(list[1], &pt.Condition) != nil {
			return publisherTest{}, fmt.Errorf("expression and condition must be strings")
		}
		if err := json.Unmarshal(list[2], &pt.Value); err != nil {
			return publisherTest{}, err
		}
		return pt, nil
	}
	var obj struct {
		Expr      *string `json:"jmespath_expression"`
		Condition string  `json:"condition"`
		Value     any     `json:"value"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return publisherTest{}, fmt.Errorf("want a list or an object: %w", err)
	}
	if obj.Expr == nil {
		return publisherTest{}, fmt.Errorf("missing jmespath_expression")
	}
	if obj.Condition == "" {
		obj.Condition = "is"
	}
	return publisherTest{Expr: *obj.Expr, Condition: obj.Condition, Value: obj.Value}, nil
}

// checkPublishers composes each match's publication for every output the
// event tests and checks it; it returns one message per failed check.
func checkPublishers(c *publish.Composer, tests map[string][]publisherTest, ms []rules.Match) []string {
	var fails []string
	for _, m := range ms {
		a, err := alertOf(m)
		if err != nil {
			fails = append(fails, fmt.Sprintf("rule %s: %v", m.Rule.Name, err))
			continue
		}
		for output, checks := range tests {
			if !slices.Contains(a.Outputs, output) {
				fails = append(fails, fmt.Sprintf("rule %s: no such output %s was configured for this alert", m.Rule.Name, output))
				continue
			}
			pub, err := c.Compose(a, output)
			if err != nil {
				fails = append(fails, fmt.Sprintf("rule %s, output %s: %v", m.Rule.Name, output, err))
				continue
			}
			var doc any
			if err := json.Unmarshal(pub, &doc); err != nil {
				fails = append(fails, fmt.Sprintf("rule %s, output %s: publication: %v", m.Rule.Name, output, err))
				continue
			}
			for _, t := range checks {
				got, err := jmespath.Search(t.Expr, doc)
				if err != nil {
					fails = append(fails, fmt.Sprintf("rule %s, output %s: %s: %v", m.Rule.Name, output, t.Expr, err))
					continue
				}
				if unordered(t.Expr) {
					got = sortedList(got)
				}
				if !t.holds(got) {
					g, _ := json.Marshal(got)
					w, _ := json.Marshal(t.Value)
					fails = append(fails, fmt.Sprintf("rule %s, output %s: %s is %s, want it to %s %s", m.Rule.Name, output, t.Expr, g, verb(t.Condition), w))
				}
			}
		}
	}
	return fails
}

func verb(cond string) string {
	switch cond {
	case "in":
		return "be in"
	case "contains":
		return "contain"
	}
	return "be"
}

// unordered reports whether expr is a call of keys() or values(), whose
// results JMESPath leaves in no particular order (a publication is a JSON
// object, unordered, however StreamAlert's Python dicts happened to order
// it). Such results are compared sorted, on both sides, as sets.
func unordered(expr string) bool {
	expr = strings.TrimSpace(expr)
	for _, f := range []string{"keys(", "values("} {
		if !strings.HasPrefix(expr, f) || !strings.HasSuffix(expr, ")") {
			continue
		}
		depth, quote := 0, rune(0)
		for i, r := range expr {
			switch {
			case quote != 0:
				if r == quote {
					quote = 0
				}
			case r == '\'' || r == '"' || r == '`':
				quote = r
			case r == '(':
				depth++
			case r == ')':
				depth--
				if depth == 0 {
					return i == len(expr)-1
				}
			}
		}
	}
	return false
}

// sortedList sorts a list by the JSON form of its elements; anything else
// is returned as it is.
func sortedList(v any) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := slices.Clone(l)
	slices.SortFunc(out, func(a, b any) int {
		x, _ := json.Marshal(a)
		y, _ := json.Marshal(b)
		return strings.Compare(string(x), string(y))
	})
	return out
}

// holds applies the condition as StreamAlert's test framework does: is
// compares, in looks the result up in the value list, contains looks for
// the value in the result (substring or element).
func (t publisherTest) holds(got any) bool {
	switch t.Condition {
	case "is":
		if unordered(t.Expr) {
			return reflect.DeepEqual(got, sortedList(t.Value))
		}
		return reflect.DeepEqual(got, t.Value)
	case "in":
		list, ok := t.Value.([]any)
		if !ok {
			return false
		}
		for _, v := range list {
			if reflect.DeepEqual(got, v) {
				return true
			}
		}
	case "contains":
		switch g := got.(type) {
		case string:
			s, ok := t.Value.(string)
			return ok && strings.Contains(g, s)
		case []any:
			for _, v := range g {
				if reflect.DeepEqual(v, t.Value) {
					return true
				}
			}
		}
	}
	return false
}

// alertOf builds the alert a match becomes, as the runtime does.
func alertOf(m rules.Match) (*alert.Alert, error) { return alert.New(m.AlertParams()) }
