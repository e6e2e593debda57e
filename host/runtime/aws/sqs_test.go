package aws

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestPack(t *testing.T) {
	item := func(n int) []byte { return []byte(`"` + strings.Repeat("x", n-2) + `"`) }
	tests := []struct {
		name     string
		sizes    []int
		limit    int
		bodies   [][]int
		oversize []int
	}{
		{"empty", nil, 100, nil, nil},
		{"one body", []int{10, 10, 10}, 100, [][]int{{0, 1, 2}}, nil},
		// "[" + 3×30 + 2 commas + "]" = 94 fits; a fourth does not.
		{"split at the limit", []int{30, 30, 30, 30}, 94, [][]int{{0, 1, 2}, {3}}, nil},
		{"exactly the limit alone", []int{98, 10}, 100, [][]int{{0}, {1}}, nil},
		{"oversize skipped, order kept", []int{10, 99, 10}, 100, [][]int{{0, 2}}, []int{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items [][]byte
			for _, n := range tt.sizes {
				items = append(items, item(n))
			}
			bodies, oversize := pack(items, tt.limit)
			var got [][]int
			for _, b := range bodies {
				got = append(got, b.items)
				if len(b.data) > tt.limit {
					t.Errorf("body of %d bytes, over %d", len(b.data), tt.limit)
				}
				var arr []string
				if err := json.Unmarshal(b.data, &arr); err != nil || len(arr) != len(b.items) {
					t.Errorf("body %q is not a JSON array of its %d items: %v", b.data, len(b.items), err)
				}
			}
			if !slices.EqualFunc(got, tt.bodies, slices.Equal) || !slices.Equal(oversize, tt.oversize) {
				t.Errorf("bodies %v oversize %v, want %v %v", got, oversize, tt.bodies, tt.oversize)
			}
		})
	}
}

func TestBatches(t *testing.T) {
	bodies := make([]body, 25)
	var pending []int
	for i := range bodies {
		bodies[i].data = make([]byte, 100<<10)
		pending = append(pending, i)
	}
	for _, call := range batches(bodies, pending) {
		size := 0
		for _, i := range call {
			size += len(bodies[i].data)
		}
		if len(call) > maxBatchEntries || size > MaxMessageBytes {
			t.Errorf("a call of %d entries and %d bytes", len(call), size)
		}
	}
	small := make([]body, 25)
	if n := len(batches(small, pending)); n != 3 {
		t.Errorf("25 small bodies in %d calls, want 3", n)
	}
}
