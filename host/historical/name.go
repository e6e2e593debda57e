package historical

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"unicode/utf8"

	"github.com/streamalert-go/sa/host/config"
)

// maxStreamName is Firehose's limit on delivery stream names, and
// hashedBase how much of a longer name is kept before its digest.
const (
	maxStreamName = 64
	hashedBase    = 56
)

// AlertsLogType is the name the alerts stream and table are derived from,
// as if alerts were a log type.
const AlertsLogType = "alerts"

// Sanitize replaces every character of s that is not an ASCII letter, digit
// or '_' with '_', one per character, as StreamAlert's \W substitution does
// for names it makes. Unlike Python's Unicode \W, letters outside ASCII are
// replaced too: neither Firehose stream names nor Athena column names may
// hold them.
func Sanitize(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !wordByte(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if wordByte(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		b.WriteByte('_')
		i += n
	}
	return b.String()
}

func wordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// StreamName is the delivery stream of a log type (or of AlertsLogType):
// <prefix>_streamalert_<log type>, sanitized, the prefix left out when
// usePrefix is false. A name over Firehose's 64 characters is cut to its
// first 56 and made to end in '_' (the 56th character becomes '_', or is
// dropped when the 55th already is one), then followed by the MD5 of the
// whole name in hex and cut at 64 characters. That is StreamAlert's rule
// to the letter, so that streams it created keep their names.
func StreamName(prefix string, usePrefix bool, logType string) string {
	name := "streamalert_" + logType
	if usePrefix && prefix != "" {
		name = prefix + "_" + name
	}
	name = Sanitize(name)
	if len(name) <= maxStreamName {
		return name
	}
	base := name[:hashedBase]
	if !strings.HasSuffix(base, "_") {
		if base[len(base)-2] == '_' {
			base = base[:len(base)-1]
		} else {
			base = base[:len(base)-1] + "_"
		}
	}
	sum := md5.Sum([]byte(name))
	return (base + hex.EncodeToString(sum[:]))[:maxStreamName]
}

// TableName is the Athena table of a log type: its name sanitized and in
// lower case ("cloudtrail:events" is cloudtrail_events).
func TableName(logType string) string {
	return strings.ToLower(Sanitize(logType))
}

// Enabled reports whether the records of logType go to historical search:
// the conf's infrastructure.firehose is enabled and its enabled_logs name
// the log type or its family ("osquery" enables every osquery:* type).
// host/config has already refused keys that name no schema.
func Enabled(conf *config.Config, logType string) bool {
	fh := &conf.Global.Infrastructure.Firehose
	if !fh.Enabled {
		return false
	}
	if _, ok := fh.EnabledLogs[logType]; ok {
		return true
	}
	_, ok := fh.EnabledLogs[config.LogType(logType).Family()]
	return ok
}
