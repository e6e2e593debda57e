package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/firehose"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	awsssm "github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamalert-go/sa/host/classify"
	"github.com/streamalert-go/sa/host/dispatch"
	"github.com/streamalert-go/sa/host/historical"
	"github.com/streamalert-go/sa/host/metrics"
	"github.com/streamalert-go/sa/host/metrics/emf"
	rt "github.com/streamalert-go/sa/host/runtime/aws"
	"github.com/streamalert-go/sa/host/secrets/ssm"
	"github.com/streamalert-go/sa/host/store/dynamodb"
)

// roles builds each function's handler, as a value lambda.Start accepts.
var roles = map[string]func(context.Context, env) (any, error){
	"classifier":        classifier,
	"rules":             rulesFunction,
	"merger":            merger,
	"processor":         processor,
	"app":               appFunction,
	"scheduled_queries": scheduledQueries,
}

// env is what every role is built from.
type env struct {
	get     func(string) string
	aws     aws.Config
	dep     *rt.Deployment
	metrics *metrics.Pipeline
	log     *slog.Logger
}

// build reads the environment and the deployment package and returns the
// handler of SA_FUNCTION's role. Everything is done here, once per
// sandbox, so invocations pay none of it.
func build(ctx context.Context, getenv func(string) string, log *slog.Logger) (any, error) {
	role := getenv("SA_FUNCTION")
	newHandler, ok := roles[role]
	if !ok {
		return nil, fmt.Errorf("SA_FUNCTION %q: want one of classifier, rules, merger, processor, app, scheduled_queries", role)
	}
	home := getenv("SA_HOME")
	if home == "" {
		home = getenv("LAMBDA_TASK_ROOT")
	}
	if home == "" {
		return nil, errors.New("SA_HOME: required outside Lambda (LAMBDA_TASK_ROOT is not set)")
	}
	dep, err := rt.LoadDeployment(home, log)
	if err != nil {
		return nil, err
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	// Metrics go to stdout in CloudWatch's embedded metric format,
	// flushed after each invocation, under the same names sa serve
	// gives Prometheus.
	reg := prometheus.NewRegistry()
	p, err := metrics.NewPipeline(reg)
	if err != nil {
		return nil, err
	}
	dims := map[string]string{"function": role}
	if c := getenv("SA_CLUSTER"); c != "" {
		dims["cluster"] = c
	}
	w, err := emf.New(reg, os.Stdout, emf.Options{Namespace: getenv("SA_METRICS_NAMESPACE"), Dimensions: dims})
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	log = log.With("function", role)
	h, err := newHandler(ctx, env{get: getenv, aws: cfg, dep: dep, metrics: p, log: log})
	if err != nil {
		return nil, err
	}
	return flushing{h: lambda.NewHandler(h), metrics: w, log: log}, nil
}

// flushing writes the metrics of each invocation once it ends.
type flushing struct {
	h       lambda.Handler
	metrics *emf.Writer
	log     *slog.Logger
}

// Invoke implements lambda.Handler.
func (f flushing) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := f.h.Invoke(ctx, payload)
	if ferr := f.metrics.Flush(); ferr != nil {
		f.log.Warn("metrics not all written", "error", ferr.Error())
	}
	return out, err
}

// require returns the named variables, or an error naming those unset.
func (e env) require(names ...string) ([]string, error) {
	var vals, missing []string
	for _, n := range names {
		v := e.get(n)
		if v == "" {
			missing = append(missing, n)
		}
		vals = append(vals, v)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: required", strings.Join(missing, ", "))
	}
	return vals, nil
}

func classifier(_ context.Context, e env) (any, error) {
	v, err := e.require("SA_CLASSIFIED_QUEUE_URL", "SA_DEAD_LETTER_QUEUE_URL")
	if err != nil {
		return nil, err
	}
	c, err := classify.New(e.dep.Conf, classify.Options{
		Parsers: classify.Fallback(e.dep.Plugins(e.log), classify.Builtin()), Logger: e.log,
	})
	if err != nil {
		return nil, err
	}
	q := sqs.NewFromConfig(e.aws)
	o := rt.ClassifierOptions{
		Classifier: c, SQS: q, Queue: v[0], DeadLetter: rt.QueueDeadLetter{SQS: q, Queue: v[1]},
		Fetcher: rt.S3Fetcher{S3: s3.NewFromConfig(e.aws)}, Metrics: e.metrics, Log: e.log,
	}
	// Historical search: the streams are named from the conf, as infra/
	// names them from the same conf.
	if e.dep.Conf.Global.Infrastructure.Firehose.Enabled {
		o.Historical = historical.New(firehose.NewFromConfig(e.aws), e.dep.Conf, historical.Options{Metrics: e.metrics})
	}
	h, err := rt.NewClassifier(o)
	if err != nil {
		return nil, err
	}
	return h.Invoke, nil
}

func alertStore(e env) (*dynamodb.Store, error) {
	v, err := e.require("SA_ALERTS_TABLE", "SA_STATE_TABLE")
	if err != nil {
		return nil, err
	}
	return dynamodb.New(ddb.NewFromConfig(e.aws), dynamodb.Options{Tables: dynamodb.Tables{Alerts: v[0], State: v[1]}})
}

func rulesFunction(ctx context.Context, e env) (any, error) {
	st, err := alertStore(e)
	if err != nil {
		return nil, err
	}
	det, err := e.dep.Detection(ctx, rt.DetectionOptions{
		AWS: e.aws, IOCTable: e.get("SA_IOC_TABLE"), Staging: st.Staging(), Log: e.log,
	})
	if err != nil {
		return nil, err
	}
	engine, err := e.dep.Rules(e.log, det.Options)
	if err != nil {
		return nil, err
	}
	if err := det.Sync(ctx, engine); err != nil {
		// Alerting goes on: a new rule not staged alerts as a promoted
		// one would, which is better than no rule alerting at all.
		e.log.Error("new rules not staged", "error", err.Error())
	}
	o := rt.RulesOptions{Rules: engine, Store: st, Detection: det, Metrics: e.metrics, Log: e.log}
	if e.dep.Conf.Global.Infrastructure.Firehose.Enabled {
		o.History = historical.New(firehose.NewFromConfig(e.aws), e.dep.Conf, historical.Options{Metrics: e.metrics})
	}
	h, err := rt.NewRules(o)
	if err != nil {
		return nil, err
	}
	return h.Handle, nil
}

func merger(ctx context.Context, e env) (any, error) {
	st, err := alertStore(e)
	if err != nil {
		return nil, err
	}
	h := rt.NewMerger(st, e.metrics, e.log)
	if !e.dep.StagingOn() {
		return func(ctx context.Context, _ json.RawMessage) (any, error) { return h.Handle(ctx) }, nil
	}
	// The merger runs every minute, one at a time: it also promotes the
	// staged rules whose period is over, and raises the daily digest.
	m, err := e.dep.StagingManager(ctx, st.Staging(), e.log)
	if err != nil {
		return nil, err
	}
	digest := rt.NewStagingDigest(m, st, e.dep.Config.Detection.Staging)
	return func(ctx context.Context, _ json.RawMessage) (any, error) {
		out, err := h.Handle(ctx)
		promoted, perr := m.Promote(ctx)
		for _, r := range promoted {
			e.log.Info("staged rule promoted", "rule", r)
		}
		if perr != nil {
			e.log.Warn("staged rules not promoted; tried again next minute", "error", perr.Error())
			return out, err
		}
		if _, derr := digest.Run(ctx, time.Now()); derr != nil {
			e.log.Error("staging digest not stored; tried again next minute", "error", derr.Error())
		}
		return out, err
	}, nil
}

func processor(_ context.Context, e env) (any, error) {
	st, err := alertStore(e)
	if err != nil {
		return nil, err
	}
	var sec dispatch.SecretGetter
	if prefix := e.get("SA_SECRETS_PREFIX"); prefix != "" {
		s, err := ssm.New(awsssm.NewFromConfig(e.aws), ssm.Options{Prefix: prefix, KMSKeyID: e.get("SA_SECRETS_KMS_KEY")})
		if err != nil {
			return nil, err
		}
		sec = s
	}
	h, err := rt.ProcessorFor(e.dep, st, e.dep.Plugins(e.log), sec, e.metrics, e.log)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, _ json.RawMessage) (any, error) { return h.Handle(ctx) }, nil
}
