package main

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestLineReader(t *testing.T) {
	// got renders each line as text|n|ended, or LONG|n|ended.
	tests := []struct {
		name string
		in   string
		max  int
		want []string
	}{
		{"empty", "", 10, nil},
		{"lines", "a\nbb\n", 10, []string{"a|2|true", "bb|3|true"}},
		{"unterminated tail", "a\nbb", 10, []string{"a|2|true", "bb|2|false"}},
		{"crlf", "a\r\nb\r", 10, []string{"a|3|true", "b|2|false"}},
		{"blank", "\n\n", 10, []string{"|1|true", "|1|true"}},
		{"exactly max", "abcd\n", 4, []string{"abcd|5|true"}},
		{"exactly max with crlf", "abcd\r\n", 4, []string{"abcd|6|true"}},
		{"one over max", "abcde\nok\n", 4, []string{"LONG|6|true", "ok|3|true"}},
		{"long tail", "abcdefgh", 4, []string{"LONG|8|false"}},
		{"longer than the read buffer", strings.Repeat("x", 3*readBuffer) + "\nok\n", 2 * readBuffer,
			[]string{"LONG|196609|true", "ok|3|true"}},
		{"long but allowed", strings.Repeat("y", 2*readBuffer+7) + "\n", 3 * readBuffer,
			[]string{strings.Repeat("y", 2*readBuffer+7) + "|131080|true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// OneByteReader makes bufio see the input in the worst pieces.
			lr := newLineReader(iotest.OneByteReader(strings.NewReader(tt.in)), tt.max)
			var got []string
			for {
				ln, err := lr.next()
				if ln.n > 0 {
					text := string(ln.text)
					if ln.long {
						text = "LONG"
					}
					got = append(got, fmt.Sprintf("%s|%d|%t", text, ln.n, ln.ended))
				}
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
