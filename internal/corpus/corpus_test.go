package corpus

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestDeterministic(t *testing.T) {
	a, b := CloudTrailRecords(20, 3, 7), CloudTrailRecords(20, 3, 7)
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("record %d differs between runs with one seed", i)
		}
	}
	if bytes.Equal(CloudTrailEvents(1, 1)[0], CloudTrailEvents(1, 2)[0]) {
		t.Error("different seeds gave the same event")
	}
	var doc struct{ Records []map[string]any }
	if err := json.Unmarshal(a[0], &doc); err != nil || len(doc.Records) != 3 || doc.Records[0]["eventName"] == nil {
		t.Errorf("record %s: want 3 CloudTrail events (%v)", a[0], err)
	}
}
