// Package embedded is sa's single-machine runtime, the default: HTTP and
// file ingest into a durable journal, classification, rules, the SQLite
// alert store, the merger and the dispatcher in one process, with plugins
// as child processes. `sa serve` runs it; `sa init` writes its config.
package embedded

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/streamalert-go/sa/host/install"
	"github.com/streamalert-go/sa/host/pluginhost"
	"github.com/streamalert-go/sa/host/publish"
)

// ConfigFile is the runtime's config, in $SA_HOME.
const ConfigFile = "sa.yaml"

// Config is sa.yaml. Relative paths are relative to $SA_HOME.
type Config struct {
	// Listen is the address of the HTTP server: ingest, /metrics, /healthz.
	Listen string `yaml:"listen"`
	// Conf is the StreamAlert-format conf directory.
	Conf string `yaml:"conf"`
	// Rules are directories of rule files; Matchers of matcher files.
	Rules    []string `yaml:"rules"`
	Matchers []string `yaml:"matchers"`
	// Store is the SQLite file holding alerts and the ingest journal.
	Store string `yaml:"store"`
	// Secrets is the encrypted credential directory, SecretKey its key file
	// (or use $SA_SECRET_KEY).
	Secrets   string `yaml:"secrets"`
	SecretKey string `yaml:"secret_key"`
	// DeadLetter keeps records no schema accepted.
	DeadLetter string `yaml:"dead_letter"`
	// PluginDirs are searched after $SA_HOME/plugins.
	PluginDirs []string `yaml:"plugin_dirs"`
	// Isolate lists plugins ("output.slack") run one process per instance.
	Isolate []string `yaml:"isolate"`
	// AWSCredentials lists plugins ("output.aws-s3") that may act with the
	// AWS credentials sa itself runs with: a Lambda function's or ECS
	// task's role, or an EKS service account. Unset, it is sa's own AWS
	// outputs (BuiltinAWSOutputs); an empty list forwards them to none.
	// Other plugins never see them.
	AWSCredentials *[]string `yaml:"aws_credentials"`
	// RuleLink is where a Slack Summary's title links for a rule, {rule}
	// standing for its name; unset, StreamAlert's (publish.DefaultRuleLink),
	// and "" links nowhere.
	RuleLink *string `yaml:"rule_link"`
	// Sources are the HTTP ingest endpoints.
	Sources []Source `yaml:"sources"`
	// Apps are app plugin instances polled on a schedule.
	Apps []App `yaml:"apps"`
	// Outputs configures output instances: "service:descriptor" → properties
	// that are not credentials (credentials live in the secret store).
	Outputs map[string]map[string]any `yaml:"outputs"`
	Limits  Limits                    `yaml:"limits"`
	// MergeTick is how often the merger runs; DispatchTick how often the
	// dispatcher looks for due alerts when idle.
	MergeTick    time.Duration `yaml:"merge_tick"`
	DispatchTick time.Duration `yaml:"dispatch_tick"`
	// Detection holds threat_intel, staging and rule_errors.
	Detection Detection `yaml:",inline"`
	// Plugins configures sa plugin install: indexes, trusted publisher
	// keys, required plugins, the download cache and development overrides.
	Plugins install.Config `yaml:"plugins"`
}

// Source is an HTTP ingest endpoint, POST /v1/ingest/<name>. Its records
// classify as if they came from Service/Resource, an entry of a cluster's
// data_sources, so an existing StreamAlert conf works unchanged: point a
// source at the Kinesis stream name its schemas are listed under.
type Source struct {
	Name     string `yaml:"name"`
	Service  string `yaml:"service"`
	Resource string `yaml:"resource"`
	// Token names the secret holding the bearer token ("ingest/<name>",
	// property "token").
	Token string `yaml:"token"`
}

// App is an app plugin instance: sa polls it on its schedule and its logs
// classify as source streamalert_app/<name>, which a cluster's
// data_sources must list, as StreamAlert's apps do.
type App struct {
	Name string `yaml:"name"`
	// Cluster is the conf cluster whose data_sources list the app.
	Cluster string `yaml:"cluster"`
	// Type is the StreamAlert app type ("duo_auth"), kept for listing.
	Type string `yaml:"type"`
	// Memory is the AWS runtime's function memory, in MB.
	Memory int `yaml:"memory"`
	// Plugin is the app plugin's name ("duo", "file").
	Plugin string `yaml:"plugin"`
	// Schedule is rate(...), cron(...) or a duration.
	Schedule string `yaml:"schedule"`
	// Budget bounds one poll (5m); a poll that runs out with more to
	// gather continues at once.
	Budget time.Duration `yaml:"budget"`
	// Config holds the properties that are not credentials; credentials
	// are in the secret store as app/<plugin>/<name>.
	Config map[string]any `yaml:"config"`
	// Sink is where the app's logs go: "" to classification, as
	// streamalert_app/<name>; "threat_intel" to the IOC store, for threat
	// intel feed apps.
	Sink string `yaml:"sink"`
}

// Limits bounds ingest.
type Limits struct {
	// MaxBody is the largest request body accepted, after decompression.
	MaxBody int64 `yaml:"max_body"`
	// MaxRecord is the largest single record.
	MaxRecord int64 `yaml:"max_record"`
}

var sourceNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// LoadConfig reads sa.yaml from home, strictly, with defaults applied and
// paths made absolute. Every problem is reported at once.
func LoadConfig(home string) (*Config, error) {
	path := filepath.Join(home, ConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (run `sa init` to create one)", err)
	}
	var c Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c.defaults(home)
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

func (c *Config) defaults(home string) {
	str := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	str(&c.Listen, "127.0.0.1:8800")
	str(&c.Conf, "conf")
	str(&c.Store, "sa.db")
	str(&c.Secrets, "secrets")
	str(&c.SecretKey, "secret.key")
	str(&c.DeadLetter, "deadletter")
	if c.Rules == nil {
		c.Rules = []string{"rules"}
	}
	if c.Matchers == nil {
		c.Matchers = []string{"matchers"}
	}
	if c.Limits.MaxBody == 0 {
		c.Limits.MaxBody = 32 << 20
	}
	if c.Limits.MaxRecord == 0 {
		c.Limits.MaxRecord = 8 << 20
	}
	if c.MergeTick == 0 {
		c.MergeTick = time.Minute
	}
	if c.DispatchTick == 0 {
		c.DispatchTick = time.Second
	}
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(home, *p)
		}
	}
	for _, p := range []*string{&c.Conf, &c.Store, &c.Secrets, &c.SecretKey, &c.DeadLetter} {
		abs(p)
	}
	c.Detection.defaults(home)
	for _, l := range [][]string{c.Rules, c.Matchers, c.PluginDirs} {
		for i := range l {
			abs(&l[i])
		}
	}
}

func (c *Config) check() error {
	var errs []error
	checkAddrs := func(key string, l []string) {
		for i, a := range l {
			if kind, name, ok := strings.Cut(a, "."); !ok || kind == "" || name == "" {
				errs = append(errs, fmt.Errorf("%s[%d]: %q is not a plugin address (kind.name, as in output.aws-s3)", key, i, a))
			}
		}
	}
	checkAddrs("isolate", c.Isolate)
	if c.AWSCredentials != nil {
		checkAddrs("aws_credentials", *c.AWSCredentials)
	}
	seen := map[string]bool{}
	for i, s := range c.Sources {
		at := fmt.Sprintf("sources[%d]", i)
		switch {
		case !sourceNameRE.MatchString(s.Name):
			errs = append(errs, fmt.Errorf("%s.name: %q: want 1-64 letters, digits, '_', '.' or '-'", at, s.Name))
		case seen[s.Name]:
			errs = append(errs, fmt.Errorf("%s.name: %q is used twice", at, s.Name))
		}
		seen[s.Name] = true
		if s.Service == "" || s.Resource == "" {
			errs = append(errs, fmt.Errorf("%s: service and resource are required", at))
		}
		if s.Token == "" {
			errs = append(errs, fmt.Errorf("%s.token: required: the secret holding the source's bearer token", at))
		}
	}
	apps := map[string]bool{}
	for i, a := range c.Apps {
		at := fmt.Sprintf("apps[%d]", i)
		switch {
		case !sourceNameRE.MatchString(a.Name):
			errs = append(errs, fmt.Errorf("%s.name: %q: want 1-64 letters, digits, '_', '.' or '-'", at, a.Name))
		case apps[a.Name]:
			errs = append(errs, fmt.Errorf("%s.name: %q is used twice", at, a.Name))
		}
		apps[a.Name] = true
		if a.Plugin == "" {
			errs = append(errs, fmt.Errorf("%s.plugin: required", at))
		}
		if _, err := ParseSchedule(a.Schedule); err != nil {
			errs = append(errs, fmt.Errorf("%s.schedule: %w", at, err))
		}
		if a.Sink != "" && a.Sink != SinkThreatIntel {
			errs = append(errs, fmt.Errorf("%s.sink: %q: want %q or nothing", at, a.Sink, SinkThreatIntel))
		}
	}
	errs = append(errs, c.Detection.check()...)
	if c.Limits.MaxRecord > c.Limits.MaxBody {
		errs = append(errs, errors.New("limits.max_record is larger than limits.max_body"))
	}
	return errors.Join(errs...)
}

// BuiltinAWSOutputs are sa's own AWS output plugins, which get sa's AWS
// credentials unless sa.yaml's aws_credentials says otherwise.
var BuiltinAWSOutputs = []string{
	"output.aws-cloudwatch-log", "output.aws-firehose", "output.aws-lambda", "output.aws-lambda-v2",
	"output.aws-s3", "output.aws-ses", "output.aws-sns", "output.aws-sqs",
}

// PluginOptions are the plugin host options sa.yaml sets (isolation, AWS
// credentials) over the plugin directories dirs, which are deduplicated.
func (c *Config) PluginOptions(dirs []string, log *slog.Logger) pluginhost.Options {
	o := pluginhost.Options{Dirs: uniqueDirs(dirs), Logger: log, Isolate: map[string]bool{}, AWSCredentials: map[string]bool{}}
	for _, p := range c.Isolate {
		o.Isolate[p] = true
	}
	aws := BuiltinAWSOutputs
	if c.AWSCredentials != nil {
		aws = *c.AWSCredentials
	}
	for _, p := range aws {
		o.AWSCredentials[p] = true
	}
	return o
}

// Composer returns the publication composer for the outputs, with
// sa.yaml's rule link.
func (c *Config) Composer(log *slog.Logger) *publish.Composer {
	o := publish.Options{Logger: log}
	if c.RuleLink != nil {
		o.RuleLink = publish.RuleLinkFrom(*c.RuleLink)
	}
	return publish.New(o)
}
