package rules

import "testing"

// TestCostTrackingChosen pins which expressions are built to track their
// cost: only those whose worst case could exceed the budget.
func TestCostTrackingChosen(t *testing.T) {
	c, err := newCompiler(testSchemas, &deps{}, DefaultCostLimit, &problems{})
	if err != nil {
		t.Fatal(err)
	}
	env, err := c.env("test:events", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		expr    string
		tracked bool
	}{
		{`record.eventName == "x" && record.count > 3`, false},
		{`get(get(record.detail, "a", {}), "b", []).exists(x, get(x, "g", "") == "all")`, false},
		{`data_has_value_from_substring_list(record.detail, ["a", "b"])`, false},
		{`record.detail.items.exists(x, record.detail.items.exists(y, x == y))`, true},
		{`lookup("t", "k", []).exists(x, x == record.eventName)`, true},
	} {
		ast, iss := env.Compile(tc.expr)
		if iss.Err() != nil {
			t.Fatalf("%s: %v", tc.expr, iss.Err())
		}
		est, err := env.EstimateCost(ast, staticCost{})
		tracked := err != nil || est.Max > DefaultCostLimit
		if tracked != tc.tracked {
			t.Errorf("%s: tracked = %v (estimate %+v), want %v", tc.expr, tracked, est, tc.tracked)
		}
	}
}
