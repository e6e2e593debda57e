package payload

import (
	"context"
	"fmt"
	"strings"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// Lambda decodes an event of the kind StreamAlert's classifier Lambda
// receives, {"Records": [...]}, each element a Kinesis record, an S3
// notification, an SNS message or an app batch ({"streamalert_app": name,
// "logs": [...]}), recognised by its keys in that order. Consecutive
// records of one source are handed to emit as one batch. The objects S3
// notifications name (directly or through SNS) are fetched with fetch and
// read as ReadObject does.
//
// An element that cannot be decoded (invalid base64, an unknown shape)
// becomes a Failure of its batch and the others go on. The error return is
// for an event that is not such an event at all, a fetch error, ctx, or
// emit.
func Lambda(ctx context.Context, event []byte, fetch ObjectFetcher, lim Limits, emit EmitFunc) error {
	lim = lim.withDefaults()
	elems, err := eventRecords(event)
	if err != nil {
		return err
	}
	g := &grouper{lim: lim, emit: emit}
	for _, e := range elems {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := decodeElement(e, lim)
		if err := g.add(d); err != nil {
			return err
		}
		if len(d.objects) > 0 {
			if err := g.flush(); err != nil {
				return err
			}
			if err := ReadObjects(ctx, d.objects, fetch, lim, emit); err != nil {
				return err
			}
		}
	}
	return g.flush()
}

// eventRecords returns the elements of the event's "Records".
func eventRecords(event []byte) ([][]byte, error) {
	members, _, err := rawjson.SplitObject(nil, event, eventMaxDepth)
	if err != nil {
		return nil, fmt.Errorf("payload: event %w", err)
	}
	for _, m := range members {
		if rawjson.KeyIs(m.Key, "Records") {
			elems, _, err := rawjson.SplitArray(nil, m.Value, eventMaxDepth)
			if err != nil {
				return nil, fmt.Errorf(`payload: event "Records" %w`, err)
			}
			return elems, nil
		}
	}
	return nil, fmt.Errorf(`payload: event has no "Records"`)
}

// decoded is what one event element yields.
type decoded struct {
	src      Source
	records  [][]byte
	failures []Failure
	objects  []ObjectRef
}

func decodeElement(e []byte, lim Limits) decoded {
	if rawjson.KindOf(e) != rawjson.Object {
		return decoded{failures: []Failure{lim.failure(e, "event record is "+rawjson.KindOf(e).String()+", not an object")}}
	}
	switch {
	case has(e, "kinesis"):
		return decodeKinesis(e, lim)
	case has(e, "s3"):
		return decodeS3Notification(e, lim)
	case has(e, "Sns"):
		return decodeSNS(e, lim)
	case has(e, "streamalert_app"):
		return decodeApp(e, lim)
	}
	var keys []string
	for k := range rawjson.Members(e) {
		keys = append(keys, rawjson.Unquote(k))
	}
	return decoded{failures: []Failure{lim.failure(e, fmt.Sprintf(
		"event record has none of the keys kinesis, s3, Sns, streamalert_app (it has %s)", clipList(keys)))}}
}

func has(obj []byte, key string) bool {
	_, ok := rawjson.Lookup(obj, key)
	return ok
}

func clipList(keys []string) string {
	if len(keys) > 8 {
		keys = append(keys[:8:8], "...")
	}
	return strings.Join(keys, ", ")
}

// grouper batches consecutive records of one source.
type grouper struct {
	lim   Limits
	emit  EmitFunc
	batch Batch
	n     int
}

func (g *grouper) add(d decoded) error {
	if g.n > 0 && (d.src != g.batch.Source || g.n >= g.lim.BatchRecords) {
		if err := g.flush(); err != nil {
			return err
		}
	}
	g.batch.Source = d.src
	g.batch.Records = append(g.batch.Records, d.records...)
	g.batch.Failures = append(g.batch.Failures, d.failures...)
	g.n += len(d.records) + len(d.failures)
	return nil
}

func (g *grouper) flush() error {
	if g.n == 0 {
		return nil
	}
	b := g.batch
	g.batch, g.n = Batch{}, 0
	return g.emit(b)
}
