package aws

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamalert-go/sa/host/alert"
	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/lookup"
	"github.com/streamalert-go/sa/host/lookup/awslookup"
	"github.com/streamalert-go/sa/host/rules"
	"github.com/streamalert-go/sa/host/rules/staging"
	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/threatintel"
)

// DetectionOptions say where the rules function's detection state is.
type DetectionOptions struct {
	// AWS is the configuration of the lookup tables' and IOC table's
	// clients.
	AWS awssdk.Config
	// IOCTable is the threat intel table; required when the conf enables
	// threat intel.
	IOCTable string
	// Staging is the staging table; required when staging is on.
	Staging staging.Store
	Log     *slog.Logger
}

// Detection is what the rules function runs beside the rules, as sa
// serve does: lookup tables read from S3, DynamoDB or the package, the
// IOC table, rule staging shared through the state table, and the
// reports of failing rules, raised as alerts at the end of each
// invocation.
type Detection struct {
	lookup  *lookup.Tables
	intel   rules.ThreatIntel
	staging *staging.Manager
	outputs []string
	log     *slog.Logger

	mu      sync.Mutex
	reports []rules.RuleError
}

// maxReports bounds the rule error reports kept between invocations when
// their alerts cannot be stored; the engine sends at most one per rule a
// minute, so only a long store outage reaches it.
const maxReports = 256

// Detection builds the package's detection: lookup tables and threat
// intel as its conf says, staging as sa.yaml or the conf says.
func (d *Deployment) Detection(ctx context.Context, o DetectionOptions) (*Detection, error) {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	det := &Detection{outputs: d.Config.Detection.RuleErrors.Outputs, log: o.Log}
	drivers := awslookup.Drivers(o.AWS)
	drivers[config.DriverFile] = lookup.FileDriver(d.Conf.Dir)
	det.lookup = lookup.New(lookup.Options{
		Logger: o.Log,
		Report: func(table string, err error) {
			o.Log.Warn("lookup table unavailable; rules get their defaults", "table", table, "error", err.Error())
		},
	}, lookup.FromConfig(d.Conf.LookupTables, drivers)...)

	if embedded.ThreatIntelOn(d.Conf) {
		if o.IOCTable == "" {
			return nil, fmt.Errorf("threat intel is enabled in the conf (threat_intel.json) but no IOC table is given")
		}
		ti, err := threatintel.NewDynamo(threatintel.ConfigFrom(d.Conf.ThreatIntel), ddb.NewFromConfig(o.AWS),
			threatintel.DynamoOptions{Table: o.IOCTable, Logger: o.Log})
		if err != nil {
			return nil, fmt.Errorf("threat intel: %w", err)
		}
		det.intel = ti
	}

	if d.StagingOn() {
		if o.Staging == nil {
			return nil, fmt.Errorf("rule staging is enabled but no staging table is given")
		}
		m, err := d.StagingManager(ctx, o.Staging, o.Log)
		if err != nil {
			return nil, err
		}
		det.staging = m
	}
	return det, nil
}

// StagingOn reports whether rule staging is on: sa.yaml's
// staging.enabled, else the conf's infrastructure.rule_staging.enabled.
func (d *Deployment) StagingOn() bool { return d.Config.StagingOn(d.Conf) }

// StagingManager opens the staging table with sa.yaml's period and
// budget.
func (d *Deployment) StagingManager(ctx context.Context, st staging.Store, log *slog.Logger) (*staging.Manager, error) {
	m, err := staging.New(ctx, st, staging.Options{
		Period: d.Config.Detection.Staging.Period, Budget: d.Config.Detection.Staging.Budget, Logger: log,
	})
	if err != nil {
		return nil, fmt.Errorf("staging table: %w", err)
	}
	return m, nil
}

// Options completes the rules engine's options; pass it to
// Deployment.Rules.
func (det *Detection) Options(o *rules.Options) {
	o.Lookup = det.lookup
	if det.intel != nil {
		o.ThreatIntel = det.intel
	}
	if det.staging != nil {
		o.Staging = det.staging
	}
	o.Errors = det
}

// Sync stages the rules new to the staging table; a sandbox does it once,
// when it loads the rules of its deployment.
func (det *Detection) Sync(ctx context.Context, engine *rules.Engine) error {
	if det.staging == nil {
		return nil
	}
	staged, err := det.staging.Sync(ctx, engine.Rules(), false)
	if err != nil {
		return fmt.Errorf("staging table: %w", err)
	}
	for _, r := range staged {
		det.log.Info("new rule staged", "rule", r)
	}
	return nil
}

// RuleError implements rules.ErrorSink: the report is kept until the
// invocation ends.
func (det *Detection) RuleError(e rules.RuleError) {
	det.mu.Lock()
	defer det.mu.Unlock()
	if len(det.reports) < maxReports {
		det.reports = append(det.reports, e)
	}
}

// stored counts the staged alerts among alerts just stored. A message
// delivered twice counts its staged alerts twice; the count only decides
// whether a rule is promoted, and redeliveries are rare.
func (det *Detection) stored(alerts []*alert.Alert) {
	if det.staging == nil {
		return
	}
	for _, a := range alerts {
		if a.Staged {
			det.staging.Count(a.RuleName)
		}
	}
}

// finish raises the invocation's rule error alerts and saves the staged
// alert counts, adopting changes other sandboxes and the merger made. A
// failure is logged and retried at the next invocation: reports and
// counts stay pending.
func (det *Detection) finish(ctx context.Context, store AlertWriter) {
	det.mu.Lock()
	reports := det.reports
	det.reports = nil
	det.mu.Unlock()
	if len(reports) > 0 {
		alerts := make([]*alert.Alert, 0, len(reports))
		now := time.Now()
		for _, e := range reports {
			a, err := e.Alert(now, det.outputs)
			if err != nil {
				det.log.Error("rule error alert not built", "rule", e.Rule, "error", err.Error())
				continue
			}
			alerts = append(alerts, a)
		}
		if err := store.Insert(ctx, alerts...); err != nil {
			det.log.Error("rule error alerts not stored; kept for the next invocation", "alerts", len(alerts), "error", err.Error())
			det.mu.Lock()
			det.reports = append(reports, det.reports...)[:min(len(reports)+len(det.reports), maxReports)]
			det.mu.Unlock()
		}
	}
	if det.staging != nil {
		if err := det.staging.Flush(ctx); err != nil {
			det.log.Warn("staging counts not saved; kept for the next invocation", "error", err.Error())
		}
	}
}

var _ rules.ErrorSink = (*Detection)(nil)
