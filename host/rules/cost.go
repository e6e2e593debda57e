package rules

import (
	"math"

	"cel.dev/cel-go/checker"
	"cel.dev/cel-go/common/types/ref"
)

// maxValueSize bounds, for cost estimation, the size of any value read
// from a record or a rule's context: no string, list or map inside a
// record can hold more than the record's bytes, and records are far
// smaller than this.
const maxValueSize = 1 << 20

// Cost tracking makes every evaluation several times slower, and most
// rules cannot possibly exceed their budget: a handful of comparisons on a
// record's fields. So each expression's worst case is estimated when it
// compiles, and only those that could exceed the budget (comprehensions
// over record lists, nested loops, heavy helpers on large inputs) are
// built with the runtime cost limit. The budget holds for every rule
// either way.

// traversals are the helpers whose cost grows with the size of their
// first argument, which they walk.
var traversals = map[string]bool{
	"data_has_value": true, "data_has_value_with_substring": true, "data_has_value_from_list": true,
	"data_has_value_from_substring_list": true, "get_keys": true, "get_first_key": true,
	"safe_json_loads": true, "is_public_policy": true, "fetch_values_by_datatype": true,
}

// staticCost is the compile-time cost estimator.
type staticCost struct{}

func (staticCost) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	if p := n.Path(); len(p) > 0 && (p[0] == "record" || p[0] == "context") {
		return &checker.SizeEstimate{Min: 0, Max: maxValueSize}
	}
	return nil
}

func (s staticCost) EstimateCallCost(fn, _ string, _ *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	if !traversals[fn] || len(args) == 0 {
		return nil
	}
	size := args[0].ComputedSize()
	if size == nil {
		size = s.EstimateSize(args[0])
	}
	max := uint64(math.MaxUint64)
	if size != nil {
		max = size.Max
	}
	// The result of a traversal is part of its input, so no larger.
	return &checker.CallEstimate{CostEstimate: checker.CostEstimate{Min: 1, Max: max},
		ResultSize: &checker.SizeEstimate{Min: 0, Max: max}}
}

// runtimeCost charges a traversal helper the number of values it could
// walk, when a program is cost-tracked.
type runtimeCost struct{}

func (runtimeCost) CallCost(fn, _ string, args []ref.Val, _ ref.Val) *uint64 {
	if !traversals[fn] || len(args) == 0 {
		return nil
	}
	n := countNodes(native(args[0]), 0)
	return &n
}

// countNodes counts the values in v, strings by their length in bytes,
// the way CEL charges string work.
func countNodes(v any, n uint64) uint64 {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			n = countNodes(e, n+1)
		}
	case []any:
		for _, e := range x {
			n = countNodes(e, n+1)
		}
	case string:
		n += uint64(len(x)) / 10
	}
	return n + 1
}
