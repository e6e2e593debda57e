package batch

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	sizes := []int{4, 4, 4, 10, 1, 1, 1}
	size := func(i int) int { return sizes[i] }
	tests := []struct {
		name            string
		pending         []int
		items, maxBytes int
		want            [][]int
	}{
		{"nothing", nil, 2, 8, nil},
		{"by bytes", []int{0, 1, 2}, 10, 8, [][]int{{0, 1}, {2}}},
		{"by items", []int{4, 5, 6}, 2, 100, [][]int{{4, 5}, {6}}},
		{"oversize alone", []int{2, 3, 4}, 10, 8, [][]int{{2}, {3}, {4}}},
		{"only the pending, in order", []int{6, 0, 5}, 10, 8, [][]int{{6, 0, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Split(tt.pending, size, tt.items, tt.maxBytes); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
