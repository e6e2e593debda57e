// Package batch splits items into the calls of an AWS batch API, which
// bound both the entries and the bytes of one call.
package batch

// Split groups the items pending names, in order, into calls of at most
// maxItems items whose sizes add up to at most maxBytes; an item larger
// than maxBytes is a call of its own, for the caller to refuse or send.
func Split(pending []int, size func(i int) int, maxItems, maxBytes int) [][]int {
	var out [][]int
	var cur []int
	total := 0
	for _, i := range pending {
		n := size(i)
		if len(cur) == maxItems || len(cur) > 0 && total+n > maxBytes {
			out, cur, total = append(out, cur), nil, 0
		}
		cur = append(cur, i)
		total += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
