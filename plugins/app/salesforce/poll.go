package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/streamalert-go/sa/plugins/app/internal/appkit"
)

// StreamAlert asked for files with LogDate after the start of its previous
// run. A daily file's LogDate is the midnight of the day it covers and it
// appears hours later, so that query skipped most files. Here the query
// reaches overlap_seconds below the newest LogDate emitted, the Ids of the
// files already emitted are kept in the state and skipped, and a file
// being emitted is recorded with the number of its rows already emitted,
// so a poll cut short resumes inside the file without repeating a row.

// logDateLayout is how the API writes LogDate.
const logDateLayout = "2006-01-02T15:04:05.000-0700"

// progress is the file being emitted, kept in the cursor's Extra.
type progress struct {
	File string `json:"file"`
	Rows int64  `json:"rows"`
}

// logFile is one EventLogFile record.
type logFile struct {
	ID            string `json:"Id"`
	EventType     string `json:"EventType"`
	LogFile       string `json:"LogFile"`
	LogDate       string `json:"LogDate"`
	LogFileLength int64  `json:"LogFileLength"`
}

// queryPage is one page of a SOQL query.
type queryPage struct {
	Done           bool      `json:"done"`
	NextRecordsURL string    `json:"nextRecordsUrl"`
	Records        []logFile `json:"records"`
}

// walker is one poll.
type walker struct {
	p        *appkit.Poll
	s        settings
	sessions *sessions
	sess     session
	newest   time.Time
}

func (a *App) newWalker(p *appkit.Poll) (*walker, error) {
	s, err := parseSettings(p.Config)
	if err != nil {
		return nil, err
	}
	return &walker{p: p, s: s, sessions: a.newSessions(p.Client, s)}, nil
}

// run lists the log files from the cursor's start and emits the new ones
// in LogDate order, the one a cut-short poll was inside first; the bound
// moves to the newest LogDate once all are emitted.
func (w *walker) run() (more bool, err error) {
	if w.sess, err = w.sessions.get(w.p.Ctx); err != nil {
		return false, err
	}
	files, err := w.list()
	if err != nil {
		return false, err
	}
	for _, f := range w.resumeFirst(files) {
		if more, err := w.file(f); more || err != nil {
			return more, err
		}
	}
	if !w.newest.IsZero() {
		w.p.Cursor.Advance(w.newest)
	}
	return false, nil
}

// list runs the query and follows its nextRecordsUrl pages.
func (w *walker) list() ([]logFile, error) {
	var files []logFile
	next := w.queryURL()
	for next != "" {
		var page queryPage
		if err := w.get(next, &page); err != nil {
			return nil, fmt.Errorf("query log files: %w", err)
		}
		files = append(files, page.Records...)
		next = ""
		if !page.Done && page.NextRecordsURL != "" {
			var err error
			if next, err = resolve(w.sess.token.instance, page.NextRecordsURL); err != nil {
				return nil, fmt.Errorf("query log files: %w", err)
			}
		}
	}
	return files, nil
}

// resumeFirst moves the file a cut-short poll was inside to the front:
// the state counts the rows emitted of one file only, so that file is
// finished before another is started. A file that is no longer listed is
// given up, with a warning.
func (w *walker) resumeFirst(files []logFile) []logFile {
	var pr progress
	c := w.p.Cursor
	if len(c.Extra) == 0 || json.Unmarshal(c.Extra, &pr) != nil || pr.File == "" {
		return files
	}
	for i, f := range files {
		if f.ID == pr.File {
			out := append([]logFile{f}, files[:i]...)
			return append(out, files[i+1:]...)
		}
	}
	w.p.Log.Warn("the log file a poll was inside is no longer listed; its remaining rows are lost",
		"file", pr.File, "rows_emitted", pr.Rows)
	c.Extra = nil
	return files
}

// queryURL is the SOQL query of the instance's event type and interval.
func (w *walker) queryURL() string {
	soql := fmt.Sprintf("SELECT Id, EventType, LogFile, LogDate, LogFileLength FROM EventLogFile "+
		"WHERE LogDate >= %s AND EventType = '%s' AND Interval = '%s' ORDER BY LogDate, Id",
		w.p.Cursor.Start().UTC().Format("2006-01-02T15:04:05Z"), w.s.eventType, w.s.interval)
	return w.sess.token.instance.String() + "/services/data/v" + w.sess.version + "/query?" + url.Values{"q": {soql}}.Encode()
}

// file emits one log file unless it was emitted before; more is true when
// the budget ends first.
func (w *walker) file(f logFile) (more bool, err error) {
	date, err := time.Parse(logDateLayout, f.LogDate)
	if err != nil {
		return false, fmt.Errorf("log file %s: LogDate %q does not parse", f.ID, f.LogDate)
	}
	c := w.p.Cursor
	if c.Check(f.ID, date) == appkit.Seen {
		w.note(date)
		return false, nil
	}
	if !w.p.Budget.Another() {
		return true, nil
	}
	var skip int64
	var pr progress
	if len(c.Extra) > 0 && json.Unmarshal(c.Extra, &pr) == nil && pr.File == f.ID {
		skip = pr.Rows
	}
	rows, err := w.rows(f, skip)
	if err != nil {
		return false, fmt.Errorf("log file %s of %s: %w", f.ID, f.LogDate, err)
	}
	c.Mark(f.ID, date)
	c.Extra = nil
	w.note(date)
	w.p.Log.Info("log file emitted", "file", f.ID, "log_date", f.LogDate, "rows", rows, "resumed_after", skip)
	return false, nil
}

// note keeps the newest LogDate seen.
func (w *walker) note(t time.Time) {
	if t.After(w.newest) {
		w.newest = t
	}
}

// get fetches a JSON resource of the instance, signing in again once if
// the session expired.
func (w *walker) get(u string, v any) error {
	for attempt := 0; ; attempt++ {
		resp, err := w.p.Client.Do(w.p.Ctx, appkit.Request{Method: http.MethodGet, URL: u, Header: w.header("application/json")})
		if appkit.StatusOf(err) == http.StatusUnauthorized && attempt == 0 {
			if err := w.resignIn(); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		return resp.JSON(v)
	}
}

// resignIn replaces a session Salesforce refused.
func (w *walker) resignIn() error {
	w.sessions.forget()
	s, err := w.sessions.refresh(w.p.Ctx)
	if err != nil {
		return err
	}
	if s.token.instance.Host != w.sess.token.instance.Host {
		return errors.New("the org moved to another instance during the poll; the next poll starts over")
	}
	w.sess = s
	return nil
}

func (w *walker) header(accept string) http.Header {
	return http.Header{"Authorization": {"Bearer " + w.sess.token.access}, "Accept": {accept}}
}
