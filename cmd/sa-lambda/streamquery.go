package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/athena"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/streamalert-go/sa/host/streamquery"
)

// scheduledQueries builds the scheduled_queries role: the query packs of
// the package (scheduled_queries.json and the query files of its
// scheduled_query_locations), each run by its pack's schedule, results
// onto a stream a cluster reads. One function waits for the queries or
// hands a run over to itself; see host/streamquery. Environment:
//
//	SA_ATHENA_DATABASE       the Glue database the queries run in (required)
//	SA_ATHENA_WORKGROUP      the Athena workgroup (default primary)
//	SA_ATHENA_RESULTS        s3:// URI Athena writes results under (required)
//	SA_QUERY_STREAM          the Kinesis stream the results go to (required)
//	AWS_LAMBDA_FUNCTION_NAME the function itself, set by Lambda, to hand over to
func scheduledQueries(_ context.Context, e env) (any, error) {
	v, err := e.require("SA_ATHENA_DATABASE", "SA_ATHENA_RESULTS", "SA_QUERY_STREAM", "AWS_LAMBDA_FUNCTION_NAME")
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(v[1], "s3://") || len(v[1]) <= len("s3://") {
		return nil, fmt.Errorf("SA_ATHENA_RESULTS %q: want an s3:// URI", v[1])
	}
	conf := e.dep.Conf
	cfg, err := streamquery.ParseConfig(conf.ScheduledQueries)
	if err != nil {
		return nil, fmt.Errorf("conf: %w", err)
	}
	queries, err := streamquery.LoadQueries(filepath.Dir(conf.Dir), conf.Global.General.ScheduledQueryLocations)
	if err != nil {
		return nil, fmt.Errorf("scheduled queries: %w", err)
	}
	h, err := streamquery.New(streamquery.Options{
		Athena: athena.NewFromConfig(e.aws), Kinesis: kinesis.NewFromConfig(e.aws), Lambda: lambda.NewFromConfig(e.aws),
		Function: v[3], Config: cfg, Queries: queries,
		Database: v[0], Workgroup: e.get("SA_ATHENA_WORKGROUP"), OutputLocation: v[1], Stream: v[2],
		Region: e.aws.Region, MaxResultBytes: resultBudget(e.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")), Log: e.log,
	})
	if err != nil {
		return nil, err
	}
	return h.Handle, nil
}

// resultBudget is the result bytes one query may hold in memory: an
// eighth of the function's memory (MB), since a result is held as rows
// and again as records; 0 (the package default) outside Lambda.
func resultBudget(memoryMB string) int {
	mb, err := strconv.Atoi(memoryMB)
	if err != nil || mb <= 0 {
		return 0
	}
	return mb << 20 / 8
}
