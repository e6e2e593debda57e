package payload

import (
	"fmt"

	"github.com/streamalert-go/sa/host/classify/rawjson"
)

// decodeApp yields the logs of an app batch in a Lambda event,
// {"streamalert_app": name, "logs": [...]}. A log that is a JSON string is
// the text it spells, as StreamAlert decoded the event; any other log is
// its JSON.
func decodeApp(e []byte, lim Limits) decoded {
	nameRaw, _ := rawjson.Lookup(e, "streamalert_app")
	if rawjson.KindOf(nameRaw) != rawjson.String {
		return decoded{failures: []Failure{lim.failure(e, "app batch: streamalert_app is not a string")}}
	}
	d := decoded{src: Source{Service: ServiceApp, Resource: rawjson.Unquote(nameRaw)}}
	logs, ok := rawjson.Lookup(e, "logs")
	if !ok || rawjson.KindOf(logs) != rawjson.Array {
		d.failures = []Failure{lim.failure(e, `app batch: no "logs" list`)}
		return d
	}
	for log := range rawjson.Elements(logs) {
		if rawjson.KindOf(log) == rawjson.String {
			log = []byte(rawjson.Unquote(log))
		}
		d.records, d.failures = appLog(d.records, d.failures, log, lim)
	}
	return d
}

// App is the batch of logs an app plugin gathered for the app instance
// name: each log one raw record, as it is. A log over the record limit is
// a Failure.
func App(name string, logs [][]byte, lim Limits) Batch {
	lim = lim.withDefaults()
	b := Batch{Source: Source{Service: ServiceApp, Resource: name}}
	for _, log := range logs {
		b.Records, b.Failures = appLog(b.Records, b.Failures, log, lim)
	}
	return b
}

func appLog(recs [][]byte, fails []Failure, log []byte, lim Limits) ([][]byte, []Failure) {
	if len(log) > lim.MaxRecordBytes {
		return recs, append(fails, lim.failure(log, fmt.Sprintf("app log is %d bytes, over the %d-byte record limit", len(log), lim.MaxRecordBytes)))
	}
	return append(recs, log), fails
}
