package payload

import (
	"encoding/json"
)

// snsElement is the part of an SNS event record sa reads.
type snsElement struct {
	Sns struct {
		TopicArn string `json:"TopicArn"`
		Message  string `json:"Message"`
		Type     string `json:"Type"`
		Subject  string `json:"Subject"`
	} `json:"Sns"`
}

// s3NotificationSubject marks an S3 notification delivered through SNS.
const s3NotificationSubject = "Amazon S3 Notification"

// decodeSNS yields an SNS message as one record from the topic, or, for
// an S3 notification, the objects it names. StreamAlert reads only the
// first of a notification's records; sa reads them all.
func decodeSNS(e []byte, lim Limits) decoded {
	var s snsElement
	if err := json.Unmarshal(e, &s); err != nil {
		return decoded{failures: []Failure{lim.failure(e, "sns record: "+err.Error())}}
	}
	if s.Sns.Type == "Notification" && s.Sns.Subject == s3NotificationSubject {
		return decodeS3Message([]byte(s.Sns.Message), lim)
	}
	d := decoded{src: Source{Service: ServiceSNS, Resource: lastPart(s.Sns.TopicArn, ":")}}
	if len(s.Sns.Message) > lim.MaxRecordBytes {
		d.failures = []Failure{lim.failure([]byte(s.Sns.Message), "sns message is over the record limit")}
		return d
	}
	d.records = [][]byte{[]byte(s.Sns.Message)}
	return d
}
