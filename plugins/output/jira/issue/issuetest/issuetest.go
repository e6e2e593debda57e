// Package issuetest is a Jira stand-in for the tests of the jira and
// jira-v2 outputs: a TLS server keeping issues and comments, answering
// the REST calls they make (search, create, comment) in the shapes Jira
// documents for API version 2 or 3, and refusing what Jira refuses
// (missing fields, a description that is not a document in version 3, an
// unauthenticated call, a JQL query of another shape).
package issuetest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/streamalert-go/sa/internal/httpouttest"
)

// Issue is an issue the stand-in holds.
type Issue struct {
	ID, Key, Project, Summary string
	// Fields is the fields object it was created with.
	Fields map[string]json.RawMessage
	// Comments are the bodies of its comments.
	Comments []json.RawMessage
	Done     bool
}

// Server is the Jira stand-in. Prefix is the context path Jira is served
// under ("" or "/jira").
type Server struct {
	*httpouttest.Vendor
	Prefix  string
	Version string
	// Authorized tells whether a REST call carries valid credentials.
	Authorized func(*http.Request) bool

	mu       sync.Mutex
	issues   []*Issue
	override map[string]http.HandlerFunc
}

// New starts a stand-in for REST API version ("2" or "3") under prefix.
func New(t *testing.T, prefix, version string, authorized func(*http.Request) bool) *Server {
	s := &Server{Prefix: prefix, Version: version, Authorized: authorized, override: map[string]http.HandlerFunc{}}
	s.Vendor = httpouttest.NewVendor(t, s.serve)
	return s
}

// Handle answers "METHOD /path" (below the prefix) with h instead.
func (s *Server) Handle(route string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.override[route] = h
}

// Issues returns a copy of the issues held, oldest first.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, len(s.issues))
	for i, is := range s.issues {
		out[i] = *is
		out[i].Comments = append([]json.RawMessage(nil), is.Comments...)
	}
	return out
}

// Add puts an issue in place, as if created earlier.
func (s *Server) Add(project, summary string, done bool) Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.add(project, summary, nil, done)
}

func (s *Server) add(project, summary string, fields map[string]json.RawMessage, done bool) *Issue {
	n := len(s.issues) + 1
	is := &Issue{ID: fmt.Sprint(10000 + n), Key: fmt.Sprintf("%s-%d", project, n), Project: project, Summary: summary, Fields: fields, Done: done}
	s.issues = append(s.issues, is)
	return is
}

// Jira's answers to a refused call.
const (
	notAuthenticated = `{"errorMessages":["You are not authenticated. Authentication required to perform this operation."],"errors":{}}`
	noIssue          = `{"errorMessages":["Issue does not exist or you do not have permission to see it."],"errors":{}}`
)

// jqlShape is the query the outputs send.
var jqlShape = regexp.MustCompile(`^project = "((?:[^"\\]|\\.)*)" AND summary ~ "((?:[^"\\]|\\.)*)" AND statusCategory != Done ORDER BY created DESC$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, s.Prefix)
	s.mu.Lock()
	h := s.override[r.Method+" "+path]
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	if !strings.HasPrefix(r.URL.Path, s.Prefix+"/") {
		reply(w, http.StatusNotFound, `{"errorMessages":["not found"]}`)
		return
	}
	if h != nil {
		h(w, r)
		return
	}
	if !s.Authorized(r) {
		reply(w, http.StatusUnauthorized, notAuthenticated)
		return
	}
	api := "/rest/api/" + s.Version
	search := api + "/search"
	if s.Version == "3" {
		search = api + "/search/jql"
	}
	switch {
	case r.Method == http.MethodGet && path == search:
		s.search(w, r)
	case r.Method == http.MethodPost && path == api+"/issue":
		s.create(w, r)
	case r.Method == http.MethodPost && strings.HasPrefix(path, api+"/issue/") && strings.HasSuffix(path, "/comment"):
		s.comment(w, r, strings.TrimSuffix(strings.TrimPrefix(path, api+"/issue/"), "/comment"))
	default:
		reply(w, http.StatusNotFound, `{"errorMessages":["null for uri: `+r.URL.Path+`"]}`)
	}
}

func reply(w http.ResponseWriter, code int, body string) {
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// search answers a JQL search: the open issues of the project whose
// summary holds every word of the text, newest first.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	m := jqlShape.FindStringSubmatch(q.Get("jql"))
	if m == nil || q.Get("maxResults") != "20" || q.Get("fields") != "summary" {
		reply(w, http.StatusBadRequest, `{"errorMessages":["Error in the JQL Query: unexpected query"],"errors":{}}`)
		return
	}
	project, text := unquote(m[1]), unquote(m[2])
	s.mu.Lock()
	var hits []map[string]any
	for i := len(s.issues) - 1; i >= 0; i-- {
		is := s.issues[i]
		if is.Project != project || is.Done || !hasWords(is.Summary, text) {
			continue
		}
		hits = append(hits, map[string]any{"id": is.ID, "key": is.Key, "self": "https://jira.example.com/rest/api/" + s.Version + "/issue/" + is.ID,
			"fields": map[string]string{"summary": is.Summary}})
	}
	s.mu.Unlock()
	ans := map[string]any{"issues": append([]map[string]any{}, hits...)}
	if s.Version == "3" {
		ans["isLast"] = true
	} else {
		ans["startAt"], ans["maxResults"], ans["total"] = 0, 20, len(hits)
	}
	b, _ := json.Marshal(ans)
	reply(w, http.StatusOK, string(b))
}

func unquote(s string) string { return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(s) }

// hasWords is a crude text search: every word of text is in summary.
func hasWords(summary, text string) bool {
	for _, word := range strings.Fields(strings.ToLower(text)) {
		if !strings.Contains(strings.ToLower(summary), word) {
			return false
		}
	}
	return true
}

// create opens an issue from {"fields": {...}}.
func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if json.NewDecoder(r.Body).Decode(&body) != nil {
		reply(w, http.StatusBadRequest, `{"errorMessages":["Unexpected character in the request body"],"errors":{}}`)
		return
	}
	var project, issueType struct{ Key, Name string }
	var summary string
	_ = json.Unmarshal(body.Fields["project"], &project)
	_ = json.Unmarshal(body.Fields["issuetype"], &issueType)
	_ = json.Unmarshal(body.Fields["summary"], &summary)
	errs := map[string]string{}
	switch {
	case project.Key == "":
		errs["project"] = "project is required"
	case issueType.Name == "":
		errs["issuetype"] = "issue type is required"
	case summary == "" || strings.ContainsAny(summary, "\r\n") || len([]rune(summary)) > 255:
		errs["summary"] = "You must specify a summary of the issue."
	case !s.richText(body.Fields["description"]):
		errs["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
	}
	if len(errs) > 0 {
		b, _ := json.Marshal(map[string]any{"errorMessages": []string{}, "errors": errs})
		reply(w, http.StatusBadRequest, string(b))
		return
	}
	s.mu.Lock()
	is := s.add(project.Key, summary, body.Fields, false)
	s.mu.Unlock()
	reply(w, http.StatusCreated, fmt.Sprintf(`{"id":%q,"key":%q,"self":"https://jira.example.com/rest/api/%s/issue/%s"}`, is.ID, is.Key, s.Version, is.ID))
}

// comment adds {"body": ...} to the issue with key or id idOrKey.
func (s *Server) comment(w http.ResponseWriter, r *http.Request, idOrKey string) {
	var body struct {
		Body json.RawMessage `json:"body"`
	}
	if json.NewDecoder(r.Body).Decode(&body) != nil || !s.richText(body.Body) {
		reply(w, http.StatusBadRequest, `{"errorMessages":[],"errors":{"comment":"Comment body can not be empty!"}}`)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, is := range s.issues {
		if is.Key == idOrKey || is.ID == idOrKey {
			is.Comments = append(is.Comments, body.Body)
			id := 20000 + len(is.Comments)
			reply(w, http.StatusCreated, fmt.Sprintf(`{"id":"%d","self":"https://jira.example.com/rest/api/%s/issue/%s/comment/%d"}`, id, s.Version, is.ID, id))
			return
		}
	}
	reply(w, http.StatusNotFound, noIssue)
}

// richText checks a description or comment body: a string in version 2, a
// document in version 3.
func (s *Server) richText(raw json.RawMessage) bool {
	if s.Version == "2" {
		var text string
		return json.Unmarshal(raw, &text) == nil && text != ""
	}
	var doc struct {
		Type    string            `json:"type"`
		Version int               `json:"version"`
		Content []json.RawMessage `json:"content"`
	}
	return json.Unmarshal(raw, &doc) == nil && doc.Type == "doc" && doc.Version == 1 && doc.Content != nil
}
