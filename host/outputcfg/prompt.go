package outputcfg

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/streamalert-go/sa/sdk/schema"
)

// Clear is what a person types at an update prompt to remove a stored
// value, returning the property to its default.
const Clear = "-"

// Prompter asks a person for property values, with prompts built from the
// schema alone: the description, the default or current value, the
// example, and whether input is hidden. Each value is checked as soon as
// it is entered, and asked again with the field's problem until it passes.
type Prompter struct {
	out io.Writer
	// fd is the terminal input reads from, or -1 when input is not a
	// terminal (a pipe, a test): secrets are then read as plain lines,
	// since nothing echoes them.
	fd int
	// lines reads visible lines: from a terminal one byte at a time, so
	// nothing typed ahead is buffered away from a later hidden read.
	lines *bufio.Reader
}

// NewPrompter reads answers from in and writes prompts to out.
func NewPrompter(in io.Reader, out io.Writer) *Prompter {
	p := &Prompter{out: out, fd: -1}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.fd = int(f.Fd())
		p.lines = bufio.NewReaderSize(unbuffered{f}, 16)
	} else {
		p.lines = bufio.NewReader(in)
	}
	return p
}

// Terminal reports whether answers come from a terminal.
func (p *Prompter) Terminal() bool { return p.fd >= 0 }

// Printf writes a message among the prompts.
func (p *Prompter) Printf(format string, args ...any) { fmt.Fprintf(p.out, format, args...) }

// Question is one property to ask for.
type Question struct {
	Prop schema.Property
	// Stored: a value is stored for the property (update). Current is
	// that value as text, shown as the default; it stays empty for a
	// secret, whose value is never shown.
	Stored  bool
	Current string
	// Check is a further check of a non-empty answer, returning a problem
	// message or "".
	Check func(value string) string
}

// Answer is what a person gave for one question.
type Answer struct {
	// Value is the text typed; Set is false when nothing was (Enter at
	// an optional or defaulted property, or keeping a stored value).
	Value string
	Set   bool
	// Cleared: the person asked to remove the stored value.
	Cleared bool
}

// Ask asks q until the answer passes the property's checks.
func (p *Prompter) Ask(ctx context.Context, q Question) (Answer, error) {
	p.describe(q)
	return p.ask(ctx, q)
}

// Reask shows a problem found with the whole configuration (often by the
// plugin, which sees every field together) and asks for the field again.
func (p *Prompter) Reask(ctx context.Context, q Question, problem string) (Answer, error) {
	fmt.Fprintf(p.out, "\n%s: %s\n", q.Prop.Name, problem)
	return p.ask(ctx, q)
}

func (p *Prompter) ask(ctx context.Context, q Question) (Answer, error) {
	for {
		v, err := p.read(ctx, p.promptLine(q), q.Prop.Secret)
		if err != nil {
			return Answer{}, fmt.Errorf("%s: %w", q.Prop.Name, err)
		}
		a, msg := p.judge(q, v)
		if msg == "" {
			return a, nil
		}
		fmt.Fprintf(p.out, "  invalid: %s: %s\n", q.Prop.Name, msg)
	}
}

// Confirm asks a yes/no question; only an explicit yes is yes.
func (p *Prompter) Confirm(ctx context.Context, question string) (bool, error) {
	v, err := p.read(ctx, question+" [y/N] ", false)
	if errors.Is(err, io.EOF) {
		fmt.Fprintln(p.out)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch strings.ToLower(v) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// describe prints the property's description and constraints.
func (p *Prompter) describe(q Question) {
	pr := q.Prop
	var notes []string
	if pr.Required && pr.Default == "" {
		notes = append(notes, "required")
	} else {
		notes = append(notes, "optional")
	}
	switch pr.Type {
	case schema.Integer, schema.Number:
		notes = append(notes, pr.Type.String())
	case schema.Boolean:
		notes = append(notes, "true or false")
	case schema.StringList:
		notes = append(notes, "a list: separate entries with commas")
	}
	if pr.Secret {
		notes = append(notes, "secret: what you type is not shown")
	}
	fmt.Fprintf(p.out, "\n%s (%s)\n", pr.Name, strings.Join(notes, "; "))
	if pr.Description != "" {
		fmt.Fprintf(p.out, "  %s\n", pr.Description)
	}
	// Examples of secrets are fake, but showing one where a real secret
	// goes teaches the wrong habit.
	if pr.Example != "" && !pr.Secret {
		fmt.Fprintf(p.out, "  Example: %s\n", pr.Example)
	}
	switch {
	case q.Stored && (pr.Secret || q.Current == ""):
		fmt.Fprintf(p.out, "  A value is stored: press Enter to keep it")
		if !pr.Required {
			fmt.Fprintf(p.out, ", or type %s to remove it", Clear)
		}
		fmt.Fprintln(p.out, ".")
	case q.Stored && !pr.Required:
		fmt.Fprintf(p.out, "  Press Enter to keep the value shown, or type %s to remove it.\n", Clear)
	}
}

// promptLine is "name: " or "name [default]: ".
func (p *Prompter) promptLine(q Question) string {
	def := q.Prop.Default
	if q.Stored && !q.Prop.Secret {
		def = q.Current
	}
	if def == "" || q.Prop.Secret {
		return q.Prop.Name + ": "
	}
	return fmt.Sprintf("%s [%s]: ", q.Prop.Name, def)
}

// judge turns what was typed into an answer, or a problem message.
func (p *Prompter) judge(q Question, v string) (Answer, string) {
	pr := q.Prop
	if !pr.Secret {
		v = strings.TrimSpace(v)
	}
	switch {
	case v == Clear && q.Stored:
		if pr.Required {
			return Answer{}, "required; it cannot be removed"
		}
		return Answer{Cleared: true}, ""
	case v == "" && (q.Stored || pr.Default != "" || !pr.Required):
		return Answer{}, ""
	case v == "":
		return Answer{}, "required"
	}
	if msg := CheckValue(pr, v); msg != "" {
		return Answer{}, msg
	}
	if q.Check != nil {
		if msg := q.Check(v); msg != "" {
			return Answer{}, msg
		}
	}
	return Answer{Value: v, Set: true}, ""
}

// CheckValue checks one typed value against its property: type, forbidden
// characters, pattern. The message never quotes the value.
func CheckValue(pr schema.Property, v string) string {
	pr.Required, pr.Default = false, ""
	_, problems := schema.Schema{Properties: []schema.Property{pr}}.Apply(map[string]any{pr.Name: v})
	if len(problems) > 0 {
		return problems[0].Message
	}
	return ""
}

// read prints prompt and reads one answer, hidden for secrets on a
// terminal: echo is off before the prompt shows, so nothing typed ahead is
// echoed. It returns when ctx ends even while the read is blocked, and
// always puts the terminal back in its normal mode, so an interrupt never
// leaves echo off.
func (p *Prompter) read(ctx context.Context, prompt string, secret bool) (string, error) {
	type result struct {
		s   string
		err error
	}
	done := make(chan result, 1)
	hidden := secret && p.fd >= 0
	// password: echo could not be turned off ahead of the prompt here;
	// term.ReadPassword turns it off as it reads.
	password := false
	if hidden {
		st, err := term.GetState(p.fd)
		if err != nil {
			return "", err
		}
		defer term.Restore(p.fd, st)
		switch err := echoOff(p.fd); {
		case errors.Is(err, errors.ErrUnsupported):
			password = true
		case err != nil:
			return "", err
		}
	}
	fmt.Fprint(p.out, prompt)
	go func() {
		if password {
			b, err := term.ReadPassword(p.fd)
			done <- result{string(b), err}
			return
		}
		s, err := p.lines.ReadString('\n')
		if err == io.EOF && s != "" {
			err = nil
		}
		done <- result{strings.TrimRight(s, "\r\n"), err}
	}()
	select {
	case r := <-done:
		if p.fd < 0 || hidden {
			// Nothing echoed the Enter that ended the answer (hidden
			// input, or answers from a pipe): end the prompt's line.
			fmt.Fprintln(p.out)
		}
		if errors.Is(r.err, io.EOF) {
			return "", fmt.Errorf("input ended before an answer: %w", io.EOF)
		}
		return r.s, r.err
	case <-ctx.Done():
		fmt.Fprintln(p.out)
		return "", ctx.Err()
	}
}

// unbuffered reads one byte per call, so that bufio.Reader never reads
// past the end of a line from a terminal.
type unbuffered struct{ r io.Reader }

func (u unbuffered) Read(b []byte) (int, error) {
	if len(b) > 1 {
		b = b[:1]
	}
	return u.r.Read(b)
}
