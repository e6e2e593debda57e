package streamquery

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"
)

// ConfigFile is the conf file Config comes from.
const ConfigFile = "scheduled_queries.json"

// Config is scheduled_queries.json, with StreamAlert's defaults applied.
type Config struct {
	Enabled bool
	// Stream is config.destination_kinesis_stream: where results go. It
	// must be a stream a cluster reads with the streamquery schema.
	Stream string
	// Timeout is config.sfn_timeout_secs (300): how long a run waits for
	// its queries, across hand-overs, before stopping those still running.
	Timeout time.Duration
	// Wait is config.sfn_wait_secs (30): the longest pause between two
	// polls of Athena.
	Wait time.Duration
	// Database, Workgroup and ResultsBucket are sa's additions to
	// "config" (athena_database, athena_workgroup, athena_results_bucket);
	// empty means the deployment's defaults.
	Database, Workgroup, ResultsBucket string
	// Packs are the schedules, by name; a pack runs the queries tagged
	// with its name.
	Packs  map[string]Pack
	Lambda LambdaConfig
}

// Pack is one entry of "packs".
type Pack struct {
	Description string
	// Schedule is the EventBridge schedule_expression, rate(...) or
	// cron(...).
	Schedule string
}

// LambdaConfig is "lambda_config": the function's settings. Zero values
// mean the deployment's defaults.
type LambdaConfig struct {
	LogLevel               string // log_level
	LogRetentionDays       int    // log_retention_days
	Memory                 int    // memory, MB
	Timeout                int    // timeout, seconds
	AlarmsEnabled          bool   // alarms_enabled
	ErrorThreshold         int    // error_threshold
	ErrorPeriodSecs        int    // error_period_secs
	ErrorEvaluationPeriods int    // error_evaluation_periods
}

// The defaults of config.sfn_timeout_secs and config.sfn_wait_secs.
const (
	DefaultTimeout = 300 * time.Second
	DefaultWait    = 30 * time.Second
)

var (
	// packNameRE keeps pack names usable in EventBridge rule names.
	packNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	streamRE   = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,128}$`)
	// rateRE is EventBridge's rate syntax: singular unit for 1, plural
	// otherwise.
	rateRE = regexp.MustCompile(`^rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)$`)
)

// ParseConfig decodes scheduled_queries.json (config.Config's
// ScheduledQueries, kept verbatim by the conf loader). Empty input is a
// disabled config. Every problem is reported, each naming the file and
// the key.
func ParseConfig(raw json.RawMessage) (*Config, error) {
	c := &Config{Timeout: DefaultTimeout, Wait: DefaultWait, Packs: map[string]Pack{}}
	if len(bytes.TrimSpace(raw)) == 0 {
		return c, nil
	}
	d := &decoder{}
	d.object(raw, "", fields{
		"enabled":       d.toBool(&c.Enabled),
		"config":        func(v json.RawMessage, p string) { d.object(v, p, c.settings(d)) },
		"packs":         func(v json.RawMessage, p string) { c.decodePacks(d, v, p) },
		"lambda_config": func(v json.RawMessage, p string) { d.object(v, p, c.Lambda.fields(d)) },
	})
	c.check(d)
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return c, nil
}

func (c *Config) settings(d *decoder) fields {
	return fields{
		"destination_kinesis_stream": d.toString(&c.Stream),
		"sfn_timeout_secs":           d.toSeconds(&c.Timeout),
		"sfn_wait_secs":              d.toSeconds(&c.Wait),
		"athena_database":            d.toString(&c.Database),
		"athena_workgroup":           d.toString(&c.Workgroup),
		"athena_results_bucket":      d.toString(&c.ResultsBucket),
	}
}

func (l *LambdaConfig) fields(d *decoder) fields {
	return fields{
		"log_level":                d.toString(&l.LogLevel),
		"log_retention_days":       d.toInt(&l.LogRetentionDays),
		"memory":                   d.toInt(&l.Memory),
		"timeout":                  d.toInt(&l.Timeout),
		"alarms_enabled":           d.toBool(&l.AlarmsEnabled),
		"error_threshold":          d.toInt(&l.ErrorThreshold),
		"error_period_secs":        d.toInt(&l.ErrorPeriodSecs),
		"error_evaluation_periods": d.toInt(&l.ErrorEvaluationPeriods),
	}
}

func (c *Config) decodePacks(d *decoder, raw json.RawMessage, p string) {
	members, ok := d.members(raw, p)
	if !ok {
		return
	}
	for _, name := range sortedKeys(members) {
		at := join(p, name)
		if !packNameRE.MatchString(name) {
			d.errorf(at, "pack name: want 1-64 letters, digits, '_', '.' or '-' (it names an EventBridge rule and is the tag its queries carry)")
		}
		var pk Pack
		d.object(members[name], at, fields{
			"description":         d.toString(&pk.Description),
			"schedule_expression": d.toString(&pk.Schedule),
		})
		switch s := pk.Schedule; {
		case s == "":
			d.errorf(join(at, "schedule_expression"), "required")
		case !validSchedule(s):
			d.errorf(join(at, "schedule_expression"), "%q: want rate(N minute|minutes|hour|hours|day|days) or cron(six fields), as EventBridge takes", s)
		}
		c.Packs[name] = pk
	}
}

// validSchedule accepts EventBridge's rate and cron expressions; a cron
// has six fields (EventBridge checks the fields themselves).
func validSchedule(s string) bool {
	if rateRE.MatchString(s) {
		return true
	}
	body, ok := strings.CutPrefix(s, "cron(")
	return ok && strings.HasSuffix(body, ")") && len(strings.Fields(strings.TrimSuffix(body, ")"))) == 6
}

// check validates what the keys say together.
func (c *Config) check(d *decoder) {
	switch {
	case c.Timeout <= 0 || c.Timeout > 24*time.Hour:
		d.errorf("config.sfn_timeout_secs", "%d: want 1-86400 seconds", int(c.Timeout/time.Second))
	case c.Wait <= 0 || c.Wait > c.Timeout:
		d.errorf("config.sfn_wait_secs", "%d: want 1 to sfn_timeout_secs (%d) seconds", int(c.Wait/time.Second), int(c.Timeout/time.Second))
	}
	if c.Stream != "" && !streamRE.MatchString(c.Stream) {
		d.errorf("config.destination_kinesis_stream", "%q: not a Kinesis stream name", c.Stream)
	}
	if !c.Enabled {
		return
	}
	if c.Stream == "" {
		d.errorf("config.destination_kinesis_stream", "required when enabled: the stream the results go to")
	}
	if len(c.Packs) == 0 {
		d.errorf("packs", "enabled with no packs: nothing would run")
	}
	if m := c.Lambda.Memory; m != 0 && (m < 128 || m > 10240) {
		d.errorf("lambda_config.memory", "%d: want 128-10240 MB", m)
	}
	if t := c.Lambda.Timeout; t != 0 && (t < 30 || t > 900) {
		d.errorf("lambda_config.timeout", "%d: want 30-900 seconds (an invocation keeps some of it to hand over)", t)
	}
}

// PackNames returns the pack names, sorted.
func (c *Config) PackNames() []string { return sortedKeys(c.Packs) }
