package rules

import "testing"

func TestAlertDescription(t *testing.T) {
	for _, tc := range []struct {
		rule Rule
		want string
	}{
		{Rule{Description: "Root used the console."}, "Root used the console."},
		{Rule{Description: " Root used the console.\n", Author: "alice", Reference: "https://example.com/r", Playbook: "page on-call"},
			"Root used the console.\n\nauthor: alice\n\nreference: https://example.com/r\n\nplaybook: page on-call"},
		{Rule{Description: "An example.\n\nnote: for tests only", Playbook: "none"}, "An example.\n\nnote: for tests only\n\nplaybook: none"},
		{Rule{Author: "bob"}, "author: bob"},
		{Rule{}, ""},
	} {
		if got := tc.rule.AlertDescription(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.rule, got, tc.want)
		}
	}
}
