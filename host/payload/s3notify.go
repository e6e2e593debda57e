package payload

import (
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// s3Element is the part of an S3 event record sa reads.
type s3Element struct {
	S3 struct {
		Bucket struct {
			Name string `json:"name"`
		} `json:"bucket"`
		Object struct {
			Key  string `json:"key"`
			Size int64  `json:"size"`
		} `json:"object"`
	} `json:"s3"`
}

// decodeS3Notification yields the object an S3 event record names. Keys
// arrive URL-encoded with '+' for spaces, as S3 documents; StreamAlert
// decodes them without turning '+' into spaces, which breaks keys with
// spaces, so sa decodes them as S3 encodes them.
func decodeS3Notification(e []byte, lim Limits) decoded {
	var s s3Element
	if err := json.Unmarshal(e, &s); err != nil {
		return decoded{failures: []Failure{lim.failure(e, "s3 record: "+err.Error())}}
	}
	d := decoded{src: Source{Service: ServiceS3, Resource: s.S3.Bucket.Name}}
	key, err := url.QueryUnescape(s.S3.Object.Key)
	if err != nil {
		d.failures = []Failure{lim.failure(e, fmt.Sprintf("s3 record: object key %q: %v", s.S3.Object.Key, err))}
		return d
	}
	d.objects = []ObjectRef{{Bucket: s.S3.Bucket.Name, Key: key, Size: s.S3.Object.Size}}
	return d
}

// decodeS3Message reads an S3 notification that came as an SNS message.
func decodeS3Message(msg []byte, lim Limits) decoded {
	elems, err := eventRecords(msg)
	if err == nil && len(elems) == 0 {
		err = fmt.Errorf("no records (an s3:TestEvent?)")
	}
	if err != nil {
		return decoded{failures: []Failure{lim.failure(msg, "S3 notification through SNS: "+err.Error())}}
	}
	var out decoded
	for _, e := range elems {
		if rawjson.KindOf(e) != rawjson.Object || !has(e, "s3") {
			out.failures = append(out.failures, lim.failure(e, "S3 notification through SNS: a record without \"s3\""))
			continue
		}
		d := decodeS3Notification(e, lim)
		out.src = d.src
		out.failures = append(out.failures, d.failures...)
		out.objects = append(out.objects, d.objects...)
	}
	return out
}
