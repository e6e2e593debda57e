package rules

import (
	"math"

	"cel.dev/cel-go/checker"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// maxValueSize bounds, for cost estimation, the size of any value read
// from a record or a rule's context. Records arrive in deliveries of at
// most a mebibyte (a Kinesis record; SQS and SNS messages are smaller),
// and a JSON list or object takes at least two bytes an element, so no
// value inside a record has more elements than this, and no string more
// than twice as many characters, which the estimate's margin covers.
const maxValueSize = 1 << 19

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

// parts are the helpers whose result is a part of their first argument
// (or their default), so no larger than it.
var parts = map[string]bool{"get": true, "get_first_key": true, "get_keys": true, "safe_json_loads": true}

// staticCost is the compile-time cost estimator.
type staticCost struct{}

// EstimateSize implements checker.CostEstimator.
func (staticCost) EstimateSize(n checker.AstNode) *checker.SizeEstimate {
	if p := n.Path(); len(p) > 0 && (p[0] == "record" || p[0] == "context") {
		return &checker.SizeEstimate{Min: 0, Max: maxValueSize}
	}
	return nil
}

// EstimateCallCost implements checker.CostEstimator.
func (s staticCost) EstimateCallCost(fn, _ string, _ *checker.AstNode, args []checker.AstNode) *checker.CallEstimate {
	if !traversals[fn] && !parts[fn] || len(args) == 0 {
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
	est := &checker.CallEstimate{CostEstimate: checker.CostEstimate{Min: 1, Max: 1}}
	if traversals[fn] {
		est.Max = max
	}
	if parts[fn] {
		// A default (get's third argument) can be larger than the input.
		for _, a := range args[1:] {
			if sz := a.ComputedSize(); sz != nil && sz.Max > max {
				max = sz.Max
			}
		}
		est.ResultSize = &checker.SizeEstimate{Min: 0, Max: max}
	}
	return est
}

// runtimeCost charges a traversal helper the number of values it could
// walk, when a program is cost-tracked.
type runtimeCost struct{}

// CallCost implements interpreter.ActualCostEstimator.
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

var (
	_ checker.CostEstimator           = staticCost{}
	_ interpreter.ActualCostEstimator = runtimeCost{}
)
