package aws

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/streamalert-go/sa/internal/awsemu"
)

// kinesisPut puts records on a new stream of a local Kinesis (kinesalite),
// reads them back from its shard, and returns the event Lambda's event
// source mapping would deliver for them.
func kinesisPut(t *testing.T, ctx context.Context, stream string, data ...[]byte) events.KinesisEvent {
	t.Helper()
	client := kinesis.NewFromConfig(awsemu.Config(awsemu.Kinesalite(t)))
	if _, err := client.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: &stream, ShardCount: awssdk.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	var arn string
	for arn == "" {
		out, err := client.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: &stream})
		if err != nil {
			t.Fatal(err)
		}
		if out.StreamDescriptionSummary.StreamStatus == types.StreamStatusActive {
			arn = *out.StreamDescriptionSummary.StreamARN
		}
	}
	entries := make([]types.PutRecordsRequestEntry, len(data))
	for i, d := range data {
		entries[i] = types.PutRecordsRequestEntry{Data: d, PartitionKey: awssdk.String(fmt.Sprintf("pk-%d", i))}
	}
	put, err := client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: &stream, Records: entries})
	if err != nil || *put.FailedRecordCount != 0 {
		t.Fatalf("PutRecords: %v (%v failed)", err, put.FailedRecordCount)
	}
	shards, err := client.ListShards(ctx, &kinesis.ListShardsInput{StreamName: &stream})
	if err != nil || len(shards.Shards) != 1 {
		t.Fatalf("ListShards: %v %v", shards, err)
	}
	shard := *shards.Shards[0].ShardId
	it, err := client.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{
		StreamName: &stream, ShardId: &shard, ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		t.Fatal(err)
	}
	var ev events.KinesisEvent
	for iter := it.ShardIterator; iter != nil && len(ev.Records) < len(data); {
		out, err := client.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: iter})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Records {
			ev.Records = append(ev.Records, events.KinesisEventRecord{
				AwsRegion: awsemu.Region, EventID: shard + ":" + *r.SequenceNumber, EventName: "aws:kinesis:record",
				EventSource: "aws:kinesis", EventSourceArn: arn, EventVersion: "1.0",
				InvokeIdentityArn: "arn:aws:iam::123456789012:role/sa-classifier",
				Kinesis: events.KinesisRecord{
					ApproximateArrivalTimestamp: events.SecondsEpochTime{Time: *r.ApproximateArrivalTimestamp},
					Data:                        r.Data, PartitionKey: *r.PartitionKey, SequenceNumber: *r.SequenceNumber,
					KinesisSchemaVersion: "1.0",
				},
			})
		}
		if len(out.Records) == 0 {
			break
		}
		iter = out.NextShardIterator
	}
	if len(ev.Records) != len(data) {
		t.Fatalf("read %d records back from %s, put %d", len(ev.Records), stream, len(data))
	}
	return ev
}
