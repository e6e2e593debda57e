package deploy

import (
	"slices"

	"github.com/streamalert-go/sa/host/config"
)

// LookupVar is what the rules function reads for lookup_tables.json: the
// S3 objects ("bucket/key") and DynamoDB tables of the enabled tables,
// each sorted, so its role may read those and nothing else. Tables of
// the file driver travel in the package and need no permission.
type LookupVar struct {
	S3Objects      []string `json:"s3_objects"`
	DynamoDBTables []string `json:"dynamodb_tables"`
}

// addLookupTables sets LookupTables when some enabled table is in S3 or
// DynamoDB.
func (v *Vars) addLookupTables(lt config.LookupTables) {
	if !lt.Enabled {
		return
	}
	l := &LookupVar{S3Objects: []string{}, DynamoDBTables: []string{}}
	for _, t := range lt.Tables {
		switch t.Driver {
		case config.DriverS3:
			l.S3Objects = append(l.S3Objects, t.Bucket+"/"+t.Key)
		case config.DriverDynamoDB:
			l.DynamoDBTables = append(l.DynamoDBTables, t.Table)
		}
	}
	if len(l.S3Objects)+len(l.DynamoDBTables) == 0 {
		return
	}
	slices.Sort(l.S3Objects)
	l.S3Objects = slices.Compact(l.S3Objects)
	slices.Sort(l.DynamoDBTables)
	l.DynamoDBTables = slices.Compact(l.DynamoDBTables)
	v.LookupTables = l
}
