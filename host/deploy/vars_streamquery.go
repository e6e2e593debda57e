package deploy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/streamalert-go/sa/host/config"
	"github.com/streamalert-go/sa/host/streamquery"
)

// ScheduledQueriesVar is the scheduled queries function and its packs'
// schedules (infra/scheduled_queries.tf), from scheduled_queries.json.
type ScheduledQueriesVar struct {
	Enabled bool `json:"enabled"`
	// Stream is the destination Kinesis stream, one a cluster reads.
	Stream        string `json:"stream"`
	Database      string `json:"database"`
	Workgroup     string `json:"workgroup"`
	ResultsBucket string `json:"results_bucket"`
	// DataBucketARN is the bucket the queried tables are in (global.json
	// infrastructure.firehose.bucket_name).
	DataBucketARN string                  `json:"data_bucket_arn"`
	Memory        int                     `json:"memory_size,omitempty"`
	Timeout       int                     `json:"timeout,omitempty"`
	Packs         map[string]QueryPackVar `json:"packs"`
}

// QueryPackVar is one pack's EventBridge schedule.
type QueryPackVar struct {
	Description string `json:"description"`
	Schedule    string `json:"schedule_expression"`
}

// streamQuerySchema is the log type the results classify as.
const streamQuerySchema = "streamquery:version1"

var (
	queryBucketRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	queryDatabaseRE  = regexp.MustCompile(`^[a-z0-9_]{1,255}$`)
	queryWorkgroupRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)
)

// addScheduledQueries sets ScheduledQueries when scheduled_queries.json
// enables them, after checking that the results will be classified and
// that every pack runs some query.
func (v *Vars) addScheduledQueries(conf *config.Config) []error {
	const at = "conf " + streamquery.ConfigFile
	c, err := streamquery.ParseConfig(conf.ScheduledQueries)
	if err != nil {
		return []error{fmt.Errorf("conf: %w", err)}
	}
	if !c.Enabled {
		return nil
	}
	sq := &ScheduledQueriesVar{
		Enabled: true, Stream: c.Stream, Database: c.Database, Workgroup: c.Workgroup, ResultsBucket: c.ResultsBucket,
		Memory: c.Lambda.Memory, Timeout: c.Lambda.Timeout, Packs: map[string]QueryPackVar{},
	}
	if sq.Database == "" {
		sq.Database = v.Prefix + "_streamalert"
	}
	// The defaults are historical search's database, workgroup and
	// results bucket (infra/modules/historical), or Athena's own
	// workgroup when historical search is off.
	if sq.Workgroup == "" {
		sq.Workgroup = "primary"
		if conf.Global.Infrastructure.Firehose.Enabled {
			sq.Workgroup = v.Prefix + "_streamalert"
		}
	}
	if sq.ResultsBucket == "" {
		sq.ResultsBucket = v.Prefix + "-streamalert-athena-results"
	}
	data := conf.Global.Infrastructure.Firehose.BucketName
	sq.DataBucketARN = "arn:" + queryPartition(v.Region) + ":s3:::" + data
	var errs []error
	check := func(ok bool, key, value, want string) {
		if !ok {
			errs = append(errs, fmt.Errorf("%s config.%s %q: %s", at, key, value, want))
		}
	}
	check(queryDatabaseRE.MatchString(sq.Database), "athena_database", sq.Database, "want a Glue database name: lowercase letters, digits and '_'")
	check(queryWorkgroupRE.MatchString(sq.Workgroup), "athena_workgroup", sq.Workgroup, "want an Athena workgroup name")
	check(queryBucketRE.MatchString(sq.ResultsBucket), "athena_results_bucket", sq.ResultsBucket, "want an S3 bucket name (set it when the prefix has a '_')")
	if !queryBucketRE.MatchString(data) {
		errs = append(errs, fmt.Errorf("conf global.json infrastructure.firehose.bucket_name %q: the data bucket scheduled queries read; want an S3 bucket name", data))
	}
	errs = append(errs, checkQueryStream(conf, c.Stream)...)
	errs = append(errs, checkName(v.Prefix+"_streamalert_scheduled_queries", at)...)
	queries, err := streamquery.LoadQueries(filepath.Dir(conf.Dir), conf.Global.General.ScheduledQueryLocations)
	if err != nil {
		errs = append(errs, fmt.Errorf("scheduled queries: %w", err))
	}
	for _, name := range c.PackNames() {
		p := c.Packs[name]
		sq.Packs[name] = QueryPackVar{Description: p.Description, Schedule: p.Schedule}
		if rule := v.Prefix + "_streamquery_" + name; len(rule) > 64 {
			errs = append(errs, fmt.Errorf("%s packs.%s: the schedule's rule name %s is over EventBridge's 64 characters; shorten the pack name", at, name, rule))
		}
		if err == nil && len(streamquery.Select(queries, []string{name})) == 0 {
			errs = append(errs, fmt.Errorf("%s packs.%s: no query in %s carries the tag %q, so the pack would run nothing",
				at, name, strings.Join(queryLocations(conf), ", "), name))
		}
	}
	v.ScheduledQueries = sq
	return errs
}

// checkQueryStream makes sure the destination stream is one a cluster
// reads for the streamquery schema: otherwise the results are never
// classified, and no rule sees them.
func checkQueryStream(conf *config.Config, stream string) []error {
	key := "conf " + streamquery.ConfigFile + " config.destination_kinesis_stream"
	types, err := conf.SchemasForSource(config.ServiceKinesis, stream)
	if err != nil {
		return []error{fmt.Errorf("%s %q: no cluster reads this stream; list it in a cluster's data_sources.kinesis with the streamquery log, so the results are classified", key, stream)}
	}
	if !slices.Contains(types, streamQuerySchema) {
		c, _ := conf.ClusterOf(config.ServiceKinesis, stream)
		return []error{fmt.Errorf("%s %q: clusters/%s.json does not read it as %s; add \"streamquery\" to its logs (and schemas/streamquery.json)", key, stream, c.Name, streamQuerySchema)}
	}
	return nil
}

// queryLocations are the query directories, relative to the sa home.
func queryLocations(conf *config.Config) []string {
	if l := conf.Global.General.ScheduledQueryLocations; len(l) > 0 {
		return l
	}
	return []string{streamquery.DefaultLocation}
}

// queryPartition is the AWS partition of a region.
func queryPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// packScheduledQueries copies the query directories into the package at
// the same place relative to its conf/, where the function looks for
// them. Missing directories are skipped: NewVars has checked that the
// enabled packs have queries.
func packScheduledQueries(conf *config.Config, pkg string) error {
	home := filepath.Dir(conf.Dir)
	for _, loc := range queryLocations(conf) {
		src := filepath.Join(home, loc)
		if _, err := os.Stat(src); os.IsNotExist(err) {
			continue
		}
		rel, err := filepath.Rel(home, src)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return fmt.Errorf("scheduled_query_locations %q: outside the sa home", loc)
		}
		if err := copyTree(src, filepath.Join(pkg, rel)); err != nil {
			return fmt.Errorf("scheduled queries: %w", err)
		}
	}
	return nil
}
