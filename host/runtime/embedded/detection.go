package embedded

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/lookup"
	"github.com/streamalert-go/sa/host/lookup/awslookup"
	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/rules/staging"
	"github.com/streamalert-go/sa/host/threatintel"
	"github.com/streamalert-go/sa/internal/atomicfile"
)

// Detection is the part of sa.yaml around the rules: the local IOC
// store, rule staging, and where rule errors are reported.
type Detection struct {
	ThreatIntel ThreatIntelConfig `yaml:"threat_intel"`
	Staging     StagingConfig     `yaml:"staging"`
	RuleErrors  RuleErrorsConfig  `yaml:"rule_errors"`
}

// ThreatIntelConfig is the local IOC store. Threat intel runs when the
// conf enables it (threat_intel.json "enabled" and a cluster's
// enable_threat_intel), as in StreamAlert.
type ThreatIntelConfig struct {
	// Files are IOC files, or directories of them, read into the store:
	// *.json and *.jsonl hold IOC objects ({"ioc_value", "ioc_type",
	// "expiration_ts"}, an array or one a line); *.<type>.txt and
	// <type>.txt hold one value of that IOC type a line. Threat intel
	// feed apps write here too. Default: the threat_intel directory.
	Files []string `yaml:"files"`
	// Refresh is how often the files are read again (10m).
	Refresh time.Duration `yaml:"refresh"`
}

// StagingConfig is rule staging: new rules' alerts are kept and counted
// but sent nowhere until the rule is promoted.
type StagingConfig struct {
	// Enabled defaults to the conf's infrastructure.rule_staging.enabled.
	Enabled *bool `yaml:"enabled"`
	// Period is how long a new rule stays staged (48h).
	Period time.Duration `yaml:"period"`
	// Budget is the most alerts a staged rule may raise and still be
	// promoted at the end of its period (0).
	Budget int64 `yaml:"budget"`
	// State is the staging table file (staging.json).
	State string `yaml:"state"`
	// DigestOutput, when set, gets a daily digest of staged rules' alert
	// counts ("slack:soc"), at DigestAt UTC ("13:30").
	DigestOutput string `yaml:"digest_output"`
	DigestAt     string `yaml:"digest_at"`
	// Check is how often counts are saved and rules promoted (1m).
	Check time.Duration `yaml:"check"`
}

// DigestTime is DigestAt as the time since midnight UTC.
func (s StagingConfig) DigestTime() time.Duration {
	t, _ := time.Parse("15:04", s.DigestAt)
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
}

// RuleErrorsConfig says where "rule error" alerts go: a rule failing on
// records (or spending its cost budget) raises one alert per rule and
// error per hour, kept in the alert store and sent to Outputs.
type RuleErrorsConfig struct {
	Outputs []string `yaml:"outputs"`
}

// Names of the alerts sa raises itself.
const (
	RuleErrorAlert     = rules.ErrorAlertRule
	StagingDigestAlert = "sa_staging_digest"
)

func (d *Detection) defaults(home string) {
	if d.ThreatIntel.Files == nil {
		d.ThreatIntel.Files = []string{ThreatIntelDir}
	}
	if d.ThreatIntel.Refresh == 0 {
		d.ThreatIntel.Refresh = 10 * time.Minute
	}
	if d.Staging.Period == 0 {
		d.Staging.Period = staging.DefaultPeriod
	}
	if d.Staging.State == "" {
		d.Staging.State = "staging.json"
	}
	if d.Staging.DigestAt == "" {
		d.Staging.DigestAt = "13:30"
	}
	if d.Staging.Check == 0 {
		d.Staging.Check = time.Minute
	}
	for i, f := range d.ThreatIntel.Files {
		if !filepath.IsAbs(f) {
			d.ThreatIntel.Files[i] = filepath.Join(home, f)
		}
	}
	if !filepath.IsAbs(d.Staging.State) {
		d.Staging.State = filepath.Join(home, d.Staging.State)
	}
}

func (d *Detection) check() []error {
	var errs []error
	if _, err := time.Parse("15:04", d.Staging.DigestAt); err != nil {
		errs = append(errs, fmt.Errorf("staging.digest_at: %q: want HH:MM (UTC)", d.Staging.DigestAt))
	}
	if d.Staging.Budget < 0 {
		errs = append(errs, fmt.Errorf("staging.budget: must not be negative"))
	}
	for i, o := range append([]string{d.Staging.DigestOutput}, d.RuleErrors.Outputs...) {
		if o == "" && i == 0 {
			continue
		}
		if s, desc, ok := strings.Cut(o, ":"); !ok || s == "" || desc == "" {
			field := "staging.digest_output"
			if i > 0 {
				field = fmt.Sprintf("rule_errors.outputs[%d]", i-1)
			}
			errs = append(errs, fmt.Errorf("%s: %q: want service:descriptor", field, o))
		}
	}
	return errs
}

// SinkThreatIntel is the app sink of threat intel feeds.
const SinkThreatIntel = "threat_intel"

// ThreatIntelDir, in the home, is where threat intel feed apps keep the
// IOCs they gathered.
const ThreatIntelDir = "threat_intel"

// detection is what DefaultParts builds around the rules engine.
type detection struct {
	env     Env
	lookup  *lookup.Tables
	intel   *threatintel.Live
	staging *staging.Manager
	errors  chan rules.RuleError
	// iocMu orders feed apps' appends with the store's reloads.
	iocMu  sync.Mutex
	reload chan struct{}
}

// newDetection builds the lookup tables, the IOC store and the staging
// manager the conf and sa.yaml ask for.
func newDetection(ctx context.Context, env Env) (*detection, error) {
	d := &detection{env: env, errors: make(chan rules.RuleError, 64), reload: make(chan struct{}, 1)}
	d.lookup = lookup.New(lookup.Options{
		Logger: env.Log,
		Report: func(table string, err error) {
			env.Log.Warn("lookup table unavailable; rules get their defaults", "table", table, "error", err.Error())
		},
	}, lookup.FromConfig(env.Conf.LookupTables, d.lookupDrivers(ctx))...)

	if ThreatIntelOn(env.Conf) {
		s, err := d.loadIOCs()
		if err != nil {
			return nil, err
		}
		d.intel = threatintel.NewLive(s)
	}

	if env.Config.StagingOn(env.Conf) {
		m, err := staging.New(ctx, &staging.File{Path: env.Config.Detection.Staging.State}, staging.Options{
			Period: env.Config.Detection.Staging.Period, Budget: env.Config.Detection.Staging.Budget, Logger: env.Log,
		})
		if err != nil {
			return nil, err
		}
		d.staging = m
	}
	return d, nil
}

// lookupDrivers are the file driver and, when a table uses them, the AWS
// drivers with the machine's AWS credentials.
func (d *detection) lookupDrivers(ctx context.Context) lookup.Drivers {
	drivers := lookup.Drivers{"file": lookup.FileDriver(d.env.Conf.Dir)}
	for _, name := range []string{"s3", "dynamodb"} {
		drivers[name] = func(t config.LookupTable) (lookup.Table, error) {
			cfg, err := awsconfig.LoadDefaultConfig(ctx)
			if err != nil {
				return lookup.Table{}, fmt.Errorf("AWS configuration: %w", err)
			}
			return awslookup.Drivers(cfg)[name](t)
		}
	}
	return drivers
}

// ThreatIntelOn is StreamAlert's switch: threat_intel.json enabled and
// some cluster with enable_threat_intel.
func ThreatIntelOn(conf *config.Config) bool {
	return conf.ThreatIntel.Enabled && slices.ContainsFunc(conf.Clusters, func(c *config.Cluster) bool { return c.EnableThreatIntel })
}

// StagingOn reports whether rule staging is on: sa.yaml's
// staging.enabled, else the conf's infrastructure.rule_staging.enabled.
func (c *Config) StagingOn(conf *config.Config) bool {
	if p := c.Detection.Staging.Enabled; p != nil {
		return *p
	}
	return conf.Global.Infrastructure.RuleStaging.Enabled
}

// options completes the rules engine's options.
func (d *detection) options(o *rules.Options) {
	o.Lookup = d.lookup
	if d.intel != nil {
		o.ThreatIntel = d.intel
	}
	if d.staging != nil {
		o.Staging = d.staging
	}
	o.Errors = d
}

// RuleError implements rules.ErrorSink. The engine calls it at most once
// a minute per rule; a full queue drops the report, which the rule's
// counters and the log still carry.
func (d *detection) RuleError(e rules.RuleError) {
	select {
	case d.errors <- e:
	default:
	}
}

// committed counts staged rules' alerts once they are stored.
func (d *detection) committed(alerts []*alert.Alert) {
	if d.staging == nil {
		return
	}
	for _, a := range alerts {
		if a.Staged {
			d.staging.Count(a.RuleName)
		}
	}
}

// start syncs the staging table with the rules loaded.
func (d *detection) start(ctx context.Context, engine *rules.Engine) error {
	if d.staging == nil {
		return nil
	}
	staged, err := d.staging.Sync(ctx, engine.Rules(), false)
	if err != nil {
		return err
	}
	for _, r := range staged {
		d.env.Log.Info("new rule staged", "rule", r, "until", time.Now().Add(d.env.Config.Detection.Staging.Period).UTC().Format(time.RFC3339))
	}
	return nil
}

// loops are the detection's background work.
func (d *detection) loops(added func()) []func(context.Context) {
	out := []func(context.Context){func(ctx context.Context) { d.ruleErrorLoop(ctx, added) }}
	if d.intel != nil {
		out = append(out, d.iocLoop)
	}
	if d.staging != nil {
		out = append(out, d.stagingLoop, func(ctx context.Context) { d.digestLoop(ctx, added) })
	}
	return out
}

// ruleErrorLoop raises an alert per rule error report: one per rule,
// stage and message per hour, as repeated reports share an id.
func (d *detection) ruleErrorLoop(ctx context.Context, added func()) {
	raise := func(ctx context.Context, e rules.RuleError) {
		a, err := e.Alert(time.Now(), d.env.Config.Detection.RuleErrors.Outputs)
		if err == nil {
			err = d.env.Store.Insert(ctx, a)
		}
		if err != nil {
			d.env.Log.Error("rule error alert not stored", "rule", e.Rule, "error", err.Error())
			return
		}
		added()
	}
	for {
		select {
		case <-ctx.Done():
			// Reports already queued are raised on the way out.
			last, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for {
				select {
				case e := <-d.errors:
					raise(last, e)
				default:
					return
				}
			}
		case e := <-d.errors:
			raise(ctx, e)
		}
	}
}

// stagingLoop saves staged alert counts, adopts changes made with sa
// rules, and promotes rules whose period is over.
func (d *detection) stagingLoop(ctx context.Context) {
	t := time.NewTicker(d.env.Config.Detection.Staging.Check)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			// Counts recorded since the last tick are saved on the way out.
			save, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			d.staging.Flush(save)
			cancel()
			return
		case <-t.C:
		}
		if _, err := d.staging.Promote(ctx); err != nil && ctx.Err() == nil {
			d.env.Log.Warn("staging table not saved", "error", err.Error())
		}
	}
}

// digestLoop raises the daily digest of staged rules at DigestAt UTC, to
// DigestOutput; without one the digest is only stored.
func (d *detection) digestLoop(ctx context.Context, added func()) {
	at := d.env.Config.Detection.Staging.DigestTime()
	for {
		now := time.Now().UTC()
		next := now.Truncate(24 * time.Hour).Add(at)
		if !next.After(now) {
			next = next.AddDate(0, 0, 1)
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		a, ok, err := DigestAlert(d.staging, next, d.env.Config.Detection.Staging.DigestOutput)
		if err == nil && ok {
			err = d.env.Store.Insert(ctx, a)
			if err == nil {
				added()
			}
		}
		if err != nil && ctx.Err() == nil {
			d.env.Log.Error("staging digest not stored", "error", err.Error())
		}
	}
}

// DigestAlert is the digest of the staged rules as of day, to output (or
// only stored, without one). Its id derives from the date, so there is one
// per day however many processes raise it; ok is false when no rule is
// staged.
func DigestAlert(m *staging.Manager, day time.Time, output string) (*alert.Alert, bool, error) {
	subject, body, ok := m.Digest()
	if !ok {
		return nil, false, nil
	}
	var staged []staging.State
	for _, s := range m.States() {
		if s.Staged {
			staged = append(staged, s)
		}
	}
	rec, err := json.Marshal(map[string]any{"subject": subject, "body": body, "rules": staged})
	if err != nil {
		return nil, false, err
	}
	var outputs []string
	if output != "" {
		outputs = []string{output}
	}
	date := day.UTC().Truncate(24 * time.Hour)
	a, err := alert.New(alert.Params{
		ID: alert.DerivedID(date, "staging-digest/"+date.Format("2006-01-02")), Created: time.Now(),
		RuleName: StagingDigestAlert, RuleDescription: subject, Severity: "info",
		Record: rec, Outputs: outputs, SourceService: "sa", SourceEntity: "staging",
	})
	return a, err == nil, err
}

// loadIOCs builds a store from the configured IOC files.
func (d *detection) loadIOCs() (*threatintel.Store, error) {
	s, err := threatintel.New(threatintel.ConfigFrom(d.env.Conf.ThreatIntel))
	if err != nil {
		return nil, err
	}
	d.iocMu.Lock()
	defer d.iocMu.Unlock()
	for _, root := range d.env.Config.Detection.ThreatIntel.Files {
		err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if path == root && os.IsNotExist(err) {
					return nil
				}
				return err
			}
			if e.IsDir() {
				return nil
			}
			if strings.HasPrefix(e.Name(), "app-") && strings.HasSuffix(e.Name(), ".jsonl") {
				if err := compactIOCFile(path, time.Now()); err != nil {
					return fmt.Errorf("threat intel: %s: %w", path, err)
				}
			}
			n, err := loadIOCFile(s, path)
			if err != nil {
				return fmt.Errorf("threat intel: %s: %w", path, err)
			}
			if n >= 0 {
				d.env.Log.Debug("IOCs loaded", "file", path, "count", n)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// loadIOCFile loads one file by its name; -1 means not an IOC file.
func loadIOCFile(s *threatintel.Store, path string) (int, error) {
	name := filepath.Base(path)
	var load func(f *os.File) (int, error)
	switch ext := filepath.Ext(name); ext {
	case ".json", ".jsonl":
		load = func(f *os.File) (int, error) { return s.LoadJSON(f) }
	case ".txt":
		stem := strings.TrimSuffix(name, ext)
		typ := stem[strings.LastIndexByte(stem, '.')+1:]
		if !slices.Contains(threatintel.Types, typ) {
			return 0, fmt.Errorf("a list's name must end in .<type>.txt, type one of %s", strings.Join(threatintel.Types, ", "))
		}
		load = func(f *os.File) (int, error) { return s.LoadList(f, typ) }
	default:
		return -1, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return load(f)
}

// iocLoop reloads the IOC store every Refresh, and soon after a feed app
// added IOCs. A load that fails keeps the store in use.
func (d *detection) iocLoop(ctx context.Context) {
	t := time.NewTicker(d.env.Config.Detection.ThreatIntel.Refresh)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.reload:
		}
		s, err := d.loadIOCs()
		if err != nil {
			d.env.Log.Error("IOC store not reloaded; the previous one stays in use", "error", err.Error())
			continue
		}
		d.intel.Swap(s)
		d.env.Log.Info("IOC store reloaded", "iocs", s.Len())
	}
}

// appendIOCs is the sink of a threat intel feed app: each log must be an
// IOC object; valid ones are appended to the app's file and synced before
// the app's state is saved. It returns how many were kept.
func (d *detection) appendIOCs(app string, logs [][]byte, log *slog.Logger) (int, error) {
	var keep []byte
	n := 0
	for i, l := range logs {
		var ioc threatintel.IOC
		if err := json.Unmarshal(l, &ioc); err != nil || ioc.Value == "" || !slices.Contains(threatintel.Types, ioc.Type) {
			log.Warn("feed app emitted something that is not an IOC; skipped", "app", app, "index", i)
			continue
		}
		line, _ := json.Marshal(ioc)
		keep = append(append(keep, line...), '\n')
		n++
	}
	if n == 0 {
		return 0, nil
	}
	d.iocMu.Lock()
	defer d.iocMu.Unlock()
	dir := filepath.Join(d.env.Home, ThreatIntelDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "app-"+app+".jsonl"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(keep); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	select {
	case d.reload <- struct{}{}:
	default:
	}
	return n, nil
}

// compactIOCFile rewrites a feed app's IOC file without expired IOCs and
// repeats (a feed downloads its active indicators again on every run),
// once those make up half the file. The caller holds iocMu.
func compactIOCFile(path string, now time.Time) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	type key struct{ typ, value string }
	latest := map[key]threatintel.IOC{}
	var order []key
	lines := 0
	for line := range strings.SplitSeq(strings.TrimRight(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		lines++
		var ioc threatintel.IOC
		if json.Unmarshal([]byte(line), &ioc) != nil {
			continue
		}
		k := key{ioc.Type, ioc.Value}
		prev, seen := latest[k]
		if !seen {
			order = append(order, k)
		}
		if !seen || prev.Expires != 0 && (ioc.Expires == 0 || ioc.Expires > prev.Expires) {
			latest[k] = ioc
		}
	}
	var out []byte
	kept := 0
	for _, k := range order {
		ioc := latest[k]
		if ioc.Expired(now) {
			continue
		}
		line, _ := json.Marshal(ioc)
		out = append(append(out, line...), '\n')
		kept++
	}
	if (lines-kept)*2 < lines {
		return nil
	}
	return atomicfile.Write(path, out, 0o600)
}
