package deploy

import (
	"reflect"
	"testing"

	"github.com/streamalert-go/sa/host/config"
)

func TestLookupVars(t *testing.T) {
	tables := []config.LookupTable{
		{Name: "b", Driver: config.DriverS3, Bucket: "acme-lookup", Key: "users.json.gz"},
		{Name: "a", Driver: config.DriverS3, Bucket: "acme-lookup", Key: "hosts.json"},
		{Name: "c", Driver: config.DriverDynamoDB, Table: "acme_assets", PartitionKey: "id", ValueKey: "v"},
		{Name: "d", Driver: config.DriverDynamoDB, Table: "acme_assets", PartitionKey: "id", ValueKey: "w"},
		{Name: "e", Driver: config.DriverFile, Path: "local.json"},
		{Name: "f", Driver: config.DriverNull},
	}
	tests := []struct {
		name string
		lt   config.LookupTables
		want *LookupVar
	}{
		{"disabled", config.LookupTables{Enabled: false, Tables: tables}, nil},
		{"only package tables", config.LookupTables{Enabled: true, Tables: tables[4:]}, nil},
		{"s3 and dynamodb, sorted and once each", config.LookupTables{Enabled: true, Tables: tables}, &LookupVar{
			S3Objects:      []string{"acme-lookup/hosts.json", "acme-lookup/users.json.gz"},
			DynamoDBTables: []string{"acme_assets"},
		}},
		{"dynamodb only", config.LookupTables{Enabled: true, Tables: tables[2:3]}, &LookupVar{
			S3Objects: []string{}, DynamoDBTables: []string{"acme_assets"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v Vars
			v.addLookupTables(tt.lt)
			if !reflect.DeepEqual(v.LookupTables, tt.want) {
				t.Errorf("got %+v, want %+v", v.LookupTables, tt.want)
			}
		})
	}
}
