package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/streamalert-go/sa/host/alert"
)

// ArchiveOutput is StreamAlert's required output, which always gets the
// default publication (reference §3.4).
const ArchiveOutput = "aws-firehose:alerts"

// ErrUnknown is wrapped by Check's error for names no publisher has.
var ErrUnknown = errors.New("unknown publisher")

// Options configure a Composer.
type Options struct {
	// Publishers is the table names are looked up in; nil means
	// Builtins(BuiltinOptions{RuleLink: RuleLink}).
	Publishers []Publisher
	// RuleLink is where Summary's title links for a rule; nil is
	// StreamAlert's link (DefaultRuleLink). Ignored when Publishers is set.
	RuleLink func(rule string) string
	Logger   *slog.Logger
}

// DefaultRuleLink is StreamAlert's link for a rule in Slack's Summary: a
// search of its GitHub repository, where the community rules live.
const DefaultRuleLink = "https://github.com/airbnb/streamalert/search?q={rule}+path%3A%2Frules"

// RuleLinkFrom returns a RuleLink from a template in which {rule} stands
// for the rule's name, query-escaped; an empty template links nowhere.
func RuleLinkFrom(template string) func(rule string) string {
	return func(rule string) string {
		return strings.ReplaceAll(template, "{rule}", url.QueryEscape(rule))
	}
}

// Composer composes publications. It is safe for concurrent use.
type Composer struct {
	byName map[string]Func
	log    *slog.Logger

	mu       sync.Mutex
	reported map[string]bool // rule + "\x00" + name
}

// New returns a Composer over the table opts names.
func New(opts Options) *Composer {
	table := opts.Publishers
	if table == nil {
		link := opts.RuleLink
		if link == nil {
			link = RuleLinkFrom(DefaultRuleLink)
		}
		table = Builtins(BuiltinOptions{RuleLink: link})
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	c := &Composer{byName: map[string]Func{}, log: log, reported: map[string]bool{}}
	for _, p := range table {
		for _, n := range p.Names() {
			c.byName[n] = p.Func
		}
	}
	return c
}

// Check reports the names that are not publishers, for the rules loader to
// refuse or warn about at load time.
func (c *Composer) Check(names []string) error {
	var unknown []string
	for _, n := range names {
		if _, ok := c.byName[n]; !ok {
			unknown = append(unknown, n)
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%w: %s", ErrUnknown, strings.Join(unknown, ", "))
	}
	return nil
}

// Compose returns the publication of a for output, as JSON. An error means
// a publisher failed on this alert: retrying cannot help.
func (c *Composer) Compose(a *alert.Alert, output string) ([]byte, error) {
	steps := c.chain(a, output)
	if len(steps) == 0 {
		b, err := defaultJSON(a)
		if err != nil {
			return nil, fmt.Errorf("publish: alert %s: %w", a.ID, err)
		}
		return b, nil
	}
	v, err := view(a)
	if err != nil {
		return nil, fmt.Errorf("publish: alert %s: %w", a.ID, err)
	}
	pub, err := c.run(v, steps)
	if err != nil {
		return nil, fmt.Errorf("publish: alert %s output %s: %w", a.ID, output, err)
	}
	b, err := json.Marshal(pub)
	if err != nil {
		return nil, fmt.Errorf("publish: alert %s output %s: encode: %w", a.ID, output, err)
	}
	return b, nil
}

// step is one publisher of a chain.
type step struct {
	name string
	fn   Func
}

// chain resolves the publishers of output: service key, then output key,
// unknown names reported and skipped.
func (c *Composer) chain(a *alert.Alert, output string) []step {
	if output == ArchiveOutput {
		return nil
	}
	service, _, _ := strings.Cut(output, ":")
	names := slices.Concat(a.Publishers[service], a.Publishers[output])
	var steps []step
	for _, n := range names {
		fn, ok := c.byName[n]
		if !ok {
			c.reportUnknown(a.RuleName, n)
			continue
		}
		steps = append(steps, step{n, fn})
	}
	return steps
}

// run applies a chain of publishers.
func (c *Composer) run(a *Alert, steps []step) (pub Publication, err error) {
	pub = Publication{}
	for _, s := range steps {
		if pub, err = call(s, a, DeepCopy(pub).(Publication)); err != nil {
			return nil, err
		}
	}
	return pub, nil
}

// call runs one publisher, turning a panic into an error so that a
// publisher bug fails one delivery instead of the host.
func call(s step, a *Alert, pub Publication) (out Publication, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("publisher %s: panic: %v", s.name, r)
		}
	}()
	out, err = s.fn(a, pub)
	if err != nil {
		return nil, fmt.Errorf("publisher %s: %w", s.name, err)
	}
	if out == nil {
		out = Publication{}
	}
	return out, nil
}

// reportUnknown logs an unknown name once per rule: it is a configuration
// error to fix, and the alert still goes out with the other publishers.
func (c *Composer) reportUnknown(rule, name string) {
	c.mu.Lock()
	key := rule + "\x00" + name
	seen := c.reported[key]
	c.reported[key] = true
	c.mu.Unlock()
	if !seen {
		c.log.Error("rule names an unknown publisher; it is skipped", "rule", rule, "publisher", name)
	}
}
