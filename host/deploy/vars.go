package deploy

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/runtime/embedded"
)

// Vars are the Terraform inputs of infra/, written as terraform.tfvars.json.
// The field names are the variables of infra/variables.tf.
type Vars struct {
	Prefix          string                `json:"prefix"`
	Region          string                `json:"region"`
	AccountID       string                `json:"account_id"`
	PackagePath     string                `json:"package_path"`
	Architecture    string                `json:"architecture"`
	LogRetention    int                   `json:"log_retention_days"`
	SecretsPrefix   string                `json:"secrets_prefix"`
	SecretsKMSAlias string                `json:"secrets_kms_alias"`
	IOCTable        string                `json:"ioc_table"`
	Clusters        map[string]ClusterVar `json:"clusters"`
	Apps            map[string]AppVar     `json:"apps"`
	Classifier      FunctionVar           `json:"classifier"`
	Rules           FunctionVar           `json:"rules"`
	Merger          FunctionVar           `json:"merger"`
	Processor       FunctionVar           `json:"processor"`
	LookupTables    *LookupVar            `json:"lookup_tables,omitempty"`
	Historical      *HistoricalVar        `json:"historical,omitempty"`
	// OutputStatements grant the processor what sa.yaml's AWS outputs call.
	OutputStatements []OutputStatement `json:"output_statements,omitempty"`
	// ScheduledQueries is set when scheduled_queries.json enables them.
	ScheduledQueries *ScheduledQueriesVar `json:"scheduled_queries,omitempty"`
}

// ClusterVar is one cluster's data_sources, by service.
type ClusterVar struct {
	Kinesis []string `json:"kinesis"`
	S3      []string `json:"s3"`
	SNS     []string `json:"sns"`
}

// AppVar is one app instance's function.
type AppVar struct {
	Cluster  string `json:"cluster"`
	Plugin   string `json:"plugin"`
	Schedule string `json:"schedule_expression"`
	Memory   int    `json:"memory_size,omitempty"`
	// Sink is "threat_intel" for a threat intel feed, whose function
	// writes the IOC table instead of invoking the classifier.
	Sink string `json:"sink,omitempty"`
}

// FunctionVar sizes a function; zero values keep infra/'s defaults.
type FunctionVar struct {
	Memory  int `json:"memory_size,omitempty"`
	Timeout int `json:"timeout,omitempty"`
}

// VarsOptions are the inputs that come from the command line, not the
// config.
type VarsOptions struct {
	PackagePath   string
	Arch          Arch
	LogRetention  int    // days; default 30
	SecretsPrefix string // default /<prefix>/sa/secrets
}

var (
	prefixRE    = regexp.MustCompile(`^[a-z][a-z0-9_]{0,19}$`)
	accountRE   = regexp.MustCompile(`^[0-9]{12}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	ssmPathRE   = regexp.MustCompile(`^(/[A-Za-z0-9_.-]+)+$`)
	functionRE  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	retentionOK = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
)

// NewVars derives the Terraform inputs from sa.yaml and the conf. Every
// problem is reported at once, each naming the file and key to fix.
func NewVars(cfg *embedded.Config, conf *config.Config, opts VarsOptions) (*Vars, error) {
	a := conf.Global.Account
	v := &Vars{
		Prefix: a.Prefix, Region: a.Region, AccountID: a.AWSAccountID,
		PackagePath: opts.PackagePath, Architecture: opts.Arch.Lambda(),
		LogRetention: opts.LogRetention, SecretsPrefix: opts.SecretsPrefix,
		SecretsKMSAlias: a.KMSKeyAlias, IOCTable: conf.ThreatIntel.DynamoDBTableName,
		Clusters: map[string]ClusterVar{}, Apps: map[string]AppVar{},
	}
	if v.LogRetention == 0 {
		v.LogRetention = 30
	}
	if v.SecretsPrefix == "" {
		v.SecretsPrefix = "/" + a.Prefix + "/sa/secrets"
	}
	errs := v.checkAccount()
	if !slices.Contains(retentionOK, v.LogRetention) {
		errs = append(errs, fmt.Errorf("log retention %d days: CloudWatch Logs accepts only %v", v.LogRetention, retentionOK))
	}
	if !ssmPathRE.MatchString(v.SecretsPrefix) {
		errs = append(errs, fmt.Errorf("secrets prefix %q: want an SSM path such as /sa/secrets", v.SecretsPrefix))
	}
	for _, c := range conf.Clusters {
		v.Clusters[c.Name] = ClusterVar{
			Kinesis: resources(c, config.ServiceKinesis),
			S3:      resources(c, config.ServiceS3),
			SNS:     resources(c, config.ServiceSNS),
		}
		errs = append(errs, checkName(v.Prefix+"_"+c.Name+"_streamalert_classifier", "conf clusters/"+c.Name+".json")...)
	}
	if len(v.Clusters) == 0 {
		errs = append(errs, errors.New("conf: no clusters: the classifier functions come from conf/clusters/*.json"))
	}
	errs = append(errs, v.addApps(cfg.Apps)...)
	errs = append(errs, v.addLambda(conf.Lambda)...)
	v.addLookupTables(conf.LookupTables)
	errs = append(errs, v.addHistorical(conf)...)
	errs = append(errs, v.addScheduledQueries(conf)...)
	errs = append(errs, v.addOutputs(cfg.Outputs)...)
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("deploy: %w", err)
	}
	return v, nil
}

func (v *Vars) checkAccount() []error {
	var errs []error
	if !prefixRE.MatchString(v.Prefix) {
		errs = append(errs, fmt.Errorf("global.json account.prefix %q: want 1-20 lowercase letters, digits or '_', starting with a letter", v.Prefix))
	}
	if !accountRE.MatchString(v.AccountID) || strings.Trim(v.AccountID, "0") == "" {
		errs = append(errs, fmt.Errorf("global.json account.aws_account_id %q: set the 12-digit id of the account to deploy to", v.AccountID))
	}
	if !regionRE.MatchString(v.Region) {
		errs = append(errs, fmt.Errorf("global.json account.region %q: want an AWS region such as us-east-1", v.Region))
	}
	if v.SecretsKMSAlias == "" || strings.HasPrefix(v.SecretsKMSAlias, "alias/") || strings.HasPrefix(v.SecretsKMSAlias, "aws/") {
		errs = append(errs, fmt.Errorf("global.json account.kms_key_alias %q: want an alias name without alias/, not an aws/ one", v.SecretsKMSAlias))
	}
	return errs
}

// resources lists a cluster's resources of one service, sorted.
func resources(c *config.Cluster, service string) []string {
	out := []string{}
	for r := range c.DataSources[service] {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

func checkName(name, where string) []error {
	if !functionRE.MatchString(name) {
		return []error{fmt.Errorf("%s: function name %q is not 1-64 letters, digits, '_' or '-'", where, name)}
	}
	return nil
}

func (v *Vars) addApps(apps []embedded.App) []error {
	var errs []error
	for i, a := range apps {
		at := fmt.Sprintf("sa.yaml apps[%d] (%s)", i, a.Name)
		if _, ok := v.Clusters[a.Cluster]; !ok {
			errs = append(errs, fmt.Errorf("%s.cluster %q: want one of the conf's clusters, whose classifier receives the app's logs", at, a.Cluster))
		}
		if a.Sink != "" && a.Sink != embedded.SinkThreatIntel {
			errs = append(errs, fmt.Errorf("%s.sink %q: want %q or none", at, a.Sink, embedded.SinkThreatIntel))
		}
		sched, err := ScheduleExpression(a.Schedule)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s.schedule: %w", at, err))
		}
		errs = append(errs, checkName(v.Prefix+"_"+a.Cluster+"_streamalert_app_"+a.Name, at)...)
		v.Apps[a.Name] = AppVar{Cluster: a.Cluster, Plugin: a.Plugin, Schedule: sched, Memory: a.Memory, Sink: a.Sink}
	}
	return errs
}

// ScheduleExpression converts an app's schedule to EventBridge's: rate()
// and cron() pass through, a duration becomes a rate of whole minutes,
// hours or days, the units EventBridge accepts.
func ScheduleExpression(s string) (string, error) {
	if _, err := embedded.ParseSchedule(s); err != nil {
		return "", err
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "rate(") || strings.HasPrefix(s, "cron(") {
		return s, nil
	}
	d, _ := time.ParseDuration(s) // ParseSchedule accepted it
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}} {
		if d%u.d == 0 {
			n := int(d / u.d)
			if n == 1 {
				return fmt.Sprintf("rate(1 %s)", u.name), nil
			}
			return fmt.Sprintf("rate(%d %ss)", n, u.name), nil
		}
	}
	return "", fmt.Errorf("schedule %q: EventBridge runs functions at most once a minute, in whole minutes", s)
}

// lambdaJSON is the part of StreamAlert's conf/lambda.json that sizes the
// functions sa also has.
type lambdaJSON struct {
	Classifier lambdaFunc `json:"classifier_config"`
	Rules      lambdaFunc `json:"rules_engine_config"`
	Merger     lambdaFunc `json:"alert_merger_config"`
	Processor  lambdaFunc `json:"alert_processor_config"`
}

// lambdaFunc is one function's settings in lambda.json.
type lambdaFunc struct {
	Memory  int `json:"memory"`
	Timeout int `json:"timeout"`
}

func (f lambdaFunc) vars() FunctionVar { return FunctionVar{Memory: f.Memory, Timeout: f.Timeout} }

func (v *Vars) addLambda(raw json.RawMessage) []error {
	if len(raw) == 0 {
		return nil
	}
	var l lambdaJSON
	if err := json.Unmarshal(raw, &l); err != nil {
		return []error{fmt.Errorf("conf lambda.json: %w", err)}
	}
	var errs []error
	for name, f := range map[string]lambdaFunc{"classifier_config": l.Classifier, "rules_engine_config": l.Rules, "alert_merger_config": l.Merger, "alert_processor_config": l.Processor} {
		if f.Memory != 0 && (f.Memory < 128 || f.Memory > 10240) {
			errs = append(errs, fmt.Errorf("conf lambda.json %s.memory %d: want 128-10240 MB", name, f.Memory))
		}
		if f.Timeout != 0 && (f.Timeout < 1 || f.Timeout > 900) {
			errs = append(errs, fmt.Errorf("conf lambda.json %s.timeout %d: want 1-900 seconds", name, f.Timeout))
		}
	}
	v.Classifier, v.Rules, v.Merger, v.Processor = l.Classifier.vars(), l.Rules.vars(), l.Merger.vars(), l.Processor.vars()
	return errs
}
