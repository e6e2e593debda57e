// Command sa-app-salesforce is the sa app plugin that gathers Salesforce
// event log files (EventLogFile) of one event type, as StreamAlert's
// salesforce_* apps do. The host starts it; run by hand it only explains
// that it is a plugin.
//
// Each row of a log file is emitted as one JSON object keyed by the file's
// CSV header, every value a string, for example
//
//	{"EVENT_TYPE":"Login","TIMESTAMP":"20260102030405.123","USER_ID":"005...",...}
//
// StreamAlert ships no salesforce schema: configure one json schema per
// event type (salesforce:login, salesforce:console, ...) listing the
// header's columns as string keys, and list the family in the cluster's
// streamalert_app data source.
package main

import saplugin "github.com/streamalert-go/sa/sdk/plugin"

func main() {
	saplugin.ServeApp(New())
}
