package awsfake

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Athena (AWS JSON 1.1, signing name athena): StartQueryExecution,
// GetQueryExecution, GetQueryResults and StopQueryExecution over
// executions whose states and results a test scripts by the query text.

func init() {
	protocols["athena"] = protocol{kind: jsonRPC, contentType: "application/x-amz-json-1.1", targetPrefix: "AmazonAthena."}
	handlers["athena.StartQueryExecution"] = (*Server).startQueryExecution
	handlers["athena.GetQueryExecution"] = (*Server).getQueryExecution
	handlers["athena.GetQueryResults"] = (*Server).getQueryResults
	handlers["athena.StopQueryExecution"] = (*Server).stopQueryExecution
}

// AthenaNull in AthenaScript.Rows is SQL NULL: a datum without a value.
const AthenaNull = "\x00NULL"

// AthenaScript scripts the executions of every query whose text contains
// Match. The first script added that matches wins; a query no script
// matches fails, saying so.
type AthenaScript struct {
	Match string
	// States are what successive GetQueryExecution calls report; the last
	// repeats. Default: QUEUED, RUNNING, SUCCEEDED.
	States []string
	// Reason is the StateChangeReason of a FAILED or CANCELLED execution.
	Reason string
	// Columns and Rows are the result: every value a string, or
	// AthenaNull.
	Columns []string
	Rows    [][]string
	// DataScanned and EngineMillis are the execution's statistics.
	DataScanned  int64
	EngineMillis int64
}

// AthenaExecution is an execution the fake started.
type AthenaExecution struct {
	ID, Query, Workgroup, Database, OutputLocation, Token string
	// State is the state last reported (QUEUED before any poll).
	State string
	// Polls counts the GetQueryExecution calls.
	Polls int
}

// athenaState is Athena's workgroups, scripts and executions.
type athenaState struct {
	workgroups map[string]bool
	scripts    []AthenaScript
	executions map[string]*athenaExecution
	order      []string
	tokens     map[string]string // client request token → execution id
	throttle   map[string]int    // operation → calls left to throttle
}

type athenaExecution struct {
	AthenaExecution
	script    *AthenaScript
	submitted time.Time
	stopped   bool
}

// athena returns the state, made on first use. s.mu must be held.
func (s *Server) athena() *athenaState {
	a := &s.state.athena
	if a.executions == nil {
		a.workgroups = map[string]bool{"primary": true}
		a.executions = map[string]*athenaExecution{}
		a.tokens = map[string]string{}
		a.throttle = map[string]int{}
	}
	return a
}

// ScriptAthena adds a script for the queries containing sc.Match.
func (s *Server) ScriptAthena(sc AthenaScript) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.athena().scripts = append(s.athena().scripts, sc)
}

// AddWorkgroup creates an Athena workgroup; "primary" always exists.
func (s *Server) AddWorkgroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.athena().workgroups[name] = true
}

// ThrottleAthena makes the next n calls of the Athena operation op answer
// TooManyRequestsException, as Athena does past its API rate.
func (s *Server) ThrottleAthena(op string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.athena().throttle[op] += n
}

// AthenaExecutions returns the executions started, in order.
func (s *Server) AthenaExecutions() []AthenaExecution {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.athena()
	out := make([]AthenaExecution, len(a.order))
	for i, id := range a.order {
		out[i] = a.executions[id].AthenaExecution
	}
	return out
}

// athenaInvalid is Athena's InvalidRequestException.
func athenaInvalid(msg string) *apiError {
	return &apiError{status: 400, code: "InvalidRequestException", msg: msg}
}

// athenaThrottled answers a throttled call, when one is due.
func (s *Server) athenaThrottled(op string) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.athena()
	if a.throttle[op] == 0 {
		return nil
	}
	a.throttle[op]--
	return &apiError{status: 400, code: "TooManyRequestsException", msg: "Rate exceeded"}
}

func (s *Server) startQueryExecution(c Call) (reply, *apiError) {
	if e := s.athenaThrottled(c.Op); e != nil {
		return reply{}, e
	}
	query, wg, token := c.String("QueryString"), c.String("WorkGroup"), c.String("ClientRequestToken")
	out := c.String("ResultConfiguration", "OutputLocation")
	if wg == "" {
		wg = "primary"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.athena()
	switch {
	case query == "" || len(query) > 262144:
		return reply{}, athenaInvalid("QueryString must be 1 to 262144 characters long")
	case token != "" && (len(token) < 32 || len(token) > 128):
		return reply{}, athenaInvalid("ClientRequestToken must be 32 to 128 characters long")
	case !a.workgroups[wg]:
		return reply{}, athenaInvalid("WorkGroup " + wg + " is not found.")
	case out != "" && !strings.HasPrefix(out, "s3://"):
		return reply{}, athenaInvalid("outputLocation is not a valid S3 path: " + out)
	}
	if id, seen := a.tokens[token]; token != "" && seen {
		if a.executions[id].Query != query {
			return reply{}, athenaInvalid("Idempotent parameters do not match")
		}
		return reply{json: map[string]string{"QueryExecutionId": id}}, nil
	}
	id := fmt.Sprintf("a7f3e9c1-5b2d-4e6f-8a0b-%012d", len(a.order)+1)
	e := &athenaExecution{AthenaExecution: AthenaExecution{ID: id, Query: query, Workgroup: wg,
		Database: c.String("QueryExecutionContext", "Database"), OutputLocation: out, Token: token, State: "QUEUED"},
		submitted: s.Now()}
	for i := range a.scripts {
		if strings.Contains(query, a.scripts[i].Match) {
			e.script = &a.scripts[i]
			break
		}
	}
	a.executions[id], a.order = e, append(a.order, id)
	if token != "" {
		a.tokens[token] = id
	}
	return reply{json: map[string]string{"QueryExecutionId": id}}, nil
}

// athenaExecutionOf looks an execution up for the operations taking its id.
func (s *Server) athenaExecutionOf(c Call) (*athenaExecution, *apiError) {
	id := c.String("QueryExecutionId")
	e, ok := s.athena().executions[id]
	if !ok {
		return nil, athenaInvalid("QueryExecution " + id + " was not found")
	}
	return e, nil
}

// advance moves an execution to the state of its next poll.
func (e *athenaExecution) advance() {
	e.Polls++
	if e.stopped || e.State == "SUCCEEDED" || e.State == "FAILED" || e.State == "CANCELLED" {
		return
	}
	states := []string{"QUEUED", "RUNNING", "SUCCEEDED"}
	if e.script == nil {
		states = []string{"FAILED"}
	} else if len(e.script.States) > 0 {
		states = e.script.States
	}
	e.State = states[min(e.Polls-1, len(states)-1)]
}

func (e *athenaExecution) reason() string {
	switch {
	case e.State != "FAILED" && e.State != "CANCELLED":
		return ""
	case e.stopped:
		return "Query cancelled by user"
	case e.script == nil:
		return "awsfake: no AthenaScript matches this query"
	}
	return e.script.Reason
}

func (s *Server) getQueryExecution(c Call) (reply, *apiError) {
	if e := s.athenaThrottled(c.Op); e != nil {
		return reply{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.athenaExecutionOf(c)
	if err != nil {
		return reply{}, err
	}
	e.advance()
	status := map[string]any{"State": e.State, "SubmissionDateTime": athenaEpoch(e.submitted)}
	stats := map[string]any{"TotalExecutionTimeInMillis": 0}
	if final := e.State != "QUEUED" && e.State != "RUNNING"; final {
		status["CompletionDateTime"] = athenaEpoch(s.Now())
		if e.script != nil {
			stats["DataScannedInBytes"], stats["EngineExecutionTimeInMillis"] = e.script.DataScanned, e.script.EngineMillis
		}
	}
	if r := e.reason(); r != "" {
		status["StateChangeReason"] = r
		if e.State == "FAILED" {
			status["AthenaError"] = map[string]any{"ErrorCategory": 2, "ErrorType": 1006, "ErrorMessage": r, "Retryable": false}
		}
	}
	qe := map[string]any{
		"QueryExecutionId": e.ID, "Query": e.Query, "StatementType": "DML", "WorkGroup": e.Workgroup,
		"Status": status, "Statistics": stats,
		"EngineVersion": map[string]string{"SelectedEngineVersion": "AUTO", "EffectiveEngineVersion": "Athena engine version 3"},
	}
	if e.Database != "" {
		qe["QueryExecutionContext"] = map[string]string{"Database": e.Database, "Catalog": "awsdatacatalog"}
	}
	if e.OutputLocation != "" {
		qe["ResultConfiguration"] = map[string]string{"OutputLocation": strings.TrimSuffix(e.OutputLocation, "/") + "/" + e.ID + ".csv"}
	}
	return reply{json: map[string]any{"QueryExecution": qe}}, nil
}

func athenaEpoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (s *Server) getQueryResults(c Call) (reply, *apiError) {
	if e := s.athenaThrottled(c.Op); e != nil {
		return reply{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.athenaExecutionOf(c)
	if err != nil {
		return reply{}, err
	}
	switch e.State {
	case "SUCCEEDED":
	case "QUEUED", "RUNNING":
		return reply{}, athenaInvalid("Query has not yet finished. Current state: " + e.State)
	default:
		return reply{}, athenaInvalid("Query did not finish successfully. Final query state: " + e.State)
	}
	size := 1000
	if n, ok := c.Get("MaxResults").(json.Number); ok {
		v, err := n.Int64()
		if err != nil || v < 1 || v > 1000 {
			return reply{}, athenaInvalid("MaxResults must be between 1 and 1000")
		}
		size = int(v)
	}
	offset := 0
	if tok := c.String("NextToken"); tok != "" {
		off, ok := athenaTokenOffset(tok, e.ID)
		if !ok {
			return reply{}, athenaInvalid("NextToken is invalid")
		}
		offset = off
	}
	rows := e.resultRows()
	end := min(offset+size, len(rows))
	out := map[string]any{"UpdateCount": 0, "ResultSet": map[string]any{
		"Rows": rows[min(offset, len(rows)):end], "ResultSetMetadata": map[string]any{"ColumnInfo": e.columns()}}}
	if end < len(rows) {
		out["NextToken"] = base64.StdEncoding.EncodeToString([]byte(e.ID + "/" + strconv.Itoa(end)))
	}
	return reply{json: out}, nil
}

// resultRows are the result as Athena pages it: the header row, then the
// data.
func (e *athenaExecution) resultRows() []map[string]any {
	var cols []string
	var data [][]string
	if e.script != nil {
		cols, data = e.script.Columns, e.script.Rows
	}
	row := func(vals []string) map[string]any {
		d := make([]map[string]string, len(vals))
		for i, v := range vals {
			d[i] = map[string]string{}
			if v != AthenaNull {
				d[i]["VarCharValue"] = v
			}
		}
		return map[string]any{"Data": d}
	}
	out := []map[string]any{row(cols)}
	for _, r := range data {
		out = append(out, row(r))
	}
	return out
}

func (e *athenaExecution) columns() []map[string]any {
	var out []map[string]any
	if e.script == nil {
		return out
	}
	for _, c := range e.script.Columns {
		out = append(out, map[string]any{"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": c, "Label": c,
			"Type": "varchar", "Precision": 2147483647, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true})
	}
	return out
}

func athenaTokenOffset(tok, id string) (int, bool) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err != nil {
		return 0, false
	}
	owner, off, ok := strings.Cut(string(b), "/")
	n, err := strconv.Atoi(off)
	return n, ok && owner == id && err == nil && n >= 0
}

func (s *Server) stopQueryExecution(c Call) (reply, *apiError) {
	if e := s.athenaThrottled(c.Op); e != nil {
		return reply{}, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, err := s.athenaExecutionOf(c)
	if err != nil {
		return reply{}, err
	}
	if e.State == "QUEUED" || e.State == "RUNNING" {
		e.stopped, e.State = true, "CANCELLED"
	}
	return reply{json: map[string]any{}}, nil
}
