package outputcfg

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/streamalert-go/sa/sdk/schema"
)

func TestAsk(t *testing.T) {
	prop := func(name string) schema.Property {
		for _, p := range hookSchema {
			if p.Name == name {
				return p
			}
		}
		t.Fatalf("no property %s", name)
		return schema.Property{}
	}
	tests := []struct {
		name     string
		q        Question
		input    string
		want     Answer
		wantOut  []string
		wantNots []string
	}{
		{
			name: "a problem is shown and the question asked again", q: Question{Prop: prop("url")},
			input: "\nhttp://insecure.example.com/x\n" + hookURL + "\n", want: Answer{Value: hookURL, Set: true},
			wantOut:  []string{"url (required; secret: what you type is not shown)", "invalid: url: required", "invalid: url: does not match pattern"},
			wantNots: []string{"insecure.example.com"},
		},
		{
			name: "forbidden characters", q: Question{Prop: prop("channel")},
			input: "a b\nab\n", want: Answer{Value: "ab", Set: true},
			wantOut: []string{`invalid: channel: may not contain any of " :#"`},
		},
		{
			name: "Enter takes the default", q: Question{Prop: prop("timeout_seconds")},
			input: "\n", want: Answer{}, wantOut: []string{"timeout_seconds [10]: "},
		},
		{
			name: "types are checked as typed", q: Question{Prop: prop("timeout_seconds")},
			input: "ten\n10\n", want: Answer{Value: "10", Set: true}, wantOut: []string{"must be a whole number"},
		},
		{
			name: "update: the current value is the default", q: Question{Prop: prop("channel"), Stored: true, Current: "soc-room"},
			input: "\n", want: Answer{}, wantOut: []string{"channel [soc-room]: ", "type - to remove it"},
		},
		{
			name: "update: - clears an optional value", q: Question{Prop: prop("channel"), Stored: true, Current: "soc-room"},
			input: "-\n", want: Answer{Cleared: true},
		},
		{
			name: "update: a required value cannot be cleared", q: Question{Prop: prop("url"), Stored: true},
			input: "-\n\n", want: Answer{}, wantOut: []string{"A value is stored: press Enter to keep it.", "cannot be removed"},
		},
		{
			name: "a further check", q: Question{Prop: prop("channel"), Check: func(v string) string {
				if v == "taken" {
					return "taken"
				}
				return ""
			}},
			input: "taken\nfree\n", want: Answer{Value: "free", Set: true}, wantOut: []string{"invalid: channel: taken"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			p := NewPrompter(strings.NewReader(tt.input), &out)
			got, err := p.Ask(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("answer %+v, want %+v", got, tt.want)
			}
			for _, s := range tt.wantOut {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
			for _, s := range append(tt.wantNots, hookURL) {
				if strings.Contains(out.String(), s) {
					t.Errorf("output shows %q:\n%s", s, out.String())
				}
			}
		})
	}
}

func TestAskEndOfInput(t *testing.T) {
	p := NewPrompter(strings.NewReader(""), io.Discard)
	if _, err := p.Ask(context.Background(), Question{Prop: hookSchema[1]}); !errors.Is(err, io.EOF) || !strings.HasPrefix(err.Error(), "url: ") {
		t.Errorf("err %v", err)
	}
}

func TestAskCanceled(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := NewPrompter(r, io.Discard).Ask(ctx, Question{Prop: hookSchema[1]}); !errors.Is(err, context.Canceled) {
		t.Errorf("err %v", err)
	}
}

func TestConfirm(t *testing.T) {
	for in, want := range map[string]bool{"y\n": true, "YES\n": true, "\n": false, "no\n": false, "": false} {
		got, err := NewPrompter(strings.NewReader(in), io.Discard).Confirm(context.Background(), "Delete?")
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
}
