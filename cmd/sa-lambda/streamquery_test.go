package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	ktypes "github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamalert-go/sa/internal/awsemu"
	"github.com/streamalert-go/sa/internal/awsfake"
)

const sampleQuery = `name: console_logins
description: Console logins of the last hour
query: SELECT who FROM cloudtrail WHERE dt >= '{utcdatehour_minus1hour}'
params: [utcdatehour_minus1hour]
tags: [hourly]
`

// queryHome is a home with one query in the default location.
func queryHome(t *testing.T, query string) string {
	t.Helper()
	h := home(t)
	dir := filepath.Join(h, "scheduled_queries")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "logins.yaml"), []byte(query), 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestBuildScheduledQueries(t *testing.T) {
	good := queryHome(t, sampleQuery)
	badConf := queryHome(t, sampleQuery)
	os.WriteFile(filepath.Join(badConf, "conf", "scheduled_queries.json"), []byte(`{"enabled": true, "packs": {"hourly": {"schedule_expression": "hourly"}}}`), 0o644)
	base := map[string]string{"SA_FUNCTION": "scheduled_queries", "SA_HOME": good, "SA_ATHENA_DATABASE": "sa_streamalert",
		"SA_ATHENA_RESULTS": "s3://sa-athena-results/scheduled_queries/", "SA_QUERY_STREAM": "sa_queries",
		"AWS_LAMBDA_FUNCTION_NAME": "sa_streamalert_scheduled_queries"}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"built", nil, ""},
		{"no settings", map[string]string{"SA_ATHENA_DATABASE": "", "SA_QUERY_STREAM": ""}, "SA_ATHENA_DATABASE, SA_QUERY_STREAM: required"},
		{"results not in S3", map[string]string{"SA_ATHENA_RESULTS": "/tmp/results"}, `SA_ATHENA_RESULTS "/tmp/results": want an s3:// URI`},
		{"bad query file", map[string]string{"SA_HOME": queryHome(t, "name: q\nquery: SELECT '{x}'\ntags: [t]\n")},
			"scheduled_queries/logins.yaml:2: query: placeholder {x} names no parameter"},
		{"bad scheduled_queries.json", map[string]string{"SA_HOME": badConf}, "scheduled_queries.json config.destination_kinesis_stream: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkBuild(t, base, tt.env, tt.wantErr) })
	}
}

// TestScheduledQueriesRole runs the built role as Lambda would, with the
// SDK's own configuration pointed at the fake's Athena and Lambda and at
// kinesalite: the query runs in the environment's database, workgroup
// and results location, and its result reaches the stream.
func TestScheduledQueriesRole(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fake := awsfake.New(t)
	fake.AddWorkgroup("sa_streamalert")
	fake.ScriptAthena(awsfake.AthenaScript{Match: "FROM cloudtrail", States: []string{"RUNNING", "SUCCEEDED"},
		Columns: []string{"who"}, Rows: [][]string{{"alice"}, {"bob"}}})
	endpoint := awsemu.Kinesalite(t)
	kc := kinesis.NewFromConfig(awsemu.Config(endpoint))
	const stream = "sa_queries"
	if _, err := kc.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String(stream), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_REGION": awsfake.Region, "AWS_ACCESS_KEY_ID": awsfake.AccessKeyID, "AWS_SECRET_ACCESS_KEY": awsfake.SecretKey,
		"AWS_CA_BUNDLE": fake.CAFile(t), "AWS_ENDPOINT_URL_ATHENA": fake.URL, "AWS_ENDPOINT_URL_LAMBDA": fake.URL,
		"AWS_ENDPOINT_URL_KINESIS": endpoint, "AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"),
	} {
		t.Setenv(k, v)
	}
	env := map[string]string{"SA_FUNCTION": "scheduled_queries", "SA_HOME": queryHome(t, sampleQuery),
		"SA_ATHENA_DATABASE": "sa_streamalert", "SA_ATHENA_WORKGROUP": "sa_streamalert",
		"SA_ATHENA_RESULTS": "s3://sa-athena-results/scheduled_queries/", "SA_QUERY_STREAM": stream,
		"AWS_LAMBDA_FUNCTION_NAME": "sa_streamalert_scheduled_queries", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}
	h, err := build(ctx, func(k string) string { return env[k] }, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.(lambda.Handler).Invoke(ctx, []byte(`{"streamquery_configuration": {"clock": "2026-11-01T09:00:00Z", "tags": ["hourly"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Sent int `json:"sent"`
	}
	if json.Unmarshal(out, &sum); sum.Sent != 1 {
		t.Errorf("invocation returned %s, want one result sent", out)
	}
	e := fake.AthenaExecutions()
	if len(e) != 1 || e[0].Database != "sa_streamalert" || e[0].Workgroup != "sa_streamalert" ||
		e[0].OutputLocation != "s3://sa-athena-results/scheduled_queries/" || !strings.Contains(e[0].Query, "dt >= '2026-11-01-08'") {
		t.Fatalf("executions %+v", e)
	}
	shards, err := kc.ListShards(ctx, &kinesis.ListShardsInput{StreamName: aws.String(stream)})
	if err != nil {
		t.Fatal(err)
	}
	it, err := kc.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String(stream), ShardId: shards.Shards[0].ShardId,
		ShardIteratorType: ktypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := kc.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(recs.Records) != 1 {
		t.Fatalf("%v records on the stream, %v", recs, err)
	}
	if d := string(recs.Records[0].Data); !strings.Contains(d, `"rows":[{"who":"alice"},{"who":"bob"}],"count":2`) || *recs.Records[0].PartitionKey != e[0].ID {
		t.Errorf("record %s (key %s)", d, *recs.Records[0].PartitionKey)
	}
}
