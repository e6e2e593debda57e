// Package issue is what sa's jira and jira-v2 outputs share: the REST
// calls that file an alert as a Jira issue, or as a comment on the open
// issue of the same rule when alerts are aggregated, and the reading of
// Jira's error answers. The two plugins differ in how they authenticate
// (a session cookie, or an API token) and in the REST version they speak
// (2 with wiki markup, 3 with Atlassian Document Format).
package issue

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/streamalert-go/sa/plugins/output/internal/httpout"
	saplugin "github.com/streamalert-go/sa/sdk/plugin"
)

// Auth puts credentials on a request. renew asks for new ones: the server
// refused the previous ones with a 401 (an expired session).
type Auth interface {
	Authorize(ctx context.Context, req *http.Request, renew bool) *saplugin.SendResult
}

// Client makes one instance's REST calls.
type Client struct {
	*httpout.Sender
	// Base is the Jira base URL; REST paths are joined onto its path, so a
	// Jira served under a context path (/jira) works.
	Base *url.URL
	// Version is the REST API version, "2" or "3".
	Version string
	// SearchPath is the JQL search endpoint below Base.
	SearchPath string
	Auth       Auth
	// Renews says whether a 401 is worth one more try with renewed
	// credentials.
	Renews    bool
	UserAgent string
}

// Maximums Jira enforces or this package chooses.
const (
	// maxSummary is Jira's limit on an issue summary, in characters.
	maxSummary = 255
	// searchPage is how many issues a search for the rule's issue reads;
	// the text search is fuzzy, so the exact summary is matched here.
	searchPage = 20
)

// Summary makes s a valid issue summary: one line of at most 255
// characters (Jira refuses a longer one or a line break).
func Summary(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= maxSummary {
		return s
	}
	return string([]rune(s)[:maxSummary])
}

// Issue is what an alert files.
type Issue struct {
	Project   string
	IssueType string
	Summary   string
	// Description is wiki markup text (REST 2) or a document (REST 3).
	Description any
	// Extra holds further fields of a new issue (labels, priority).
	Extra map[string]any
}

// File files is: with aggregate, as a comment on the open issue of the
// project with the same summary when there is one; else as a new issue.
// A search or comment that fails permanently falls back to a new issue, as
// StreamAlert did; one that may succeed later is reported retryable
// instead, so a retry does not leave a duplicate issue behind.
func (c *Client) File(ctx context.Context, is Issue, aggregate bool) saplugin.SendResult {
	if aggregate {
		key, fail := c.find(ctx, is.Project, is.Summary)
		if fail != nil && fail.Status == saplugin.Retryable {
			return *fail
		}
		if key != "" {
			res := c.comment(ctx, key, is.Description)
			if res.Status != saplugin.Permanent {
				return res
			}
		}
	}
	return c.create(ctx, is)
}

// find returns the key of the newest open issue of project whose summary
// is exactly summary, or "".
func (c *Client) find(ctx context.Context, project, summary string) (string, *saplugin.SendResult) {
	q := url.Values{"jql": {JQL(project, summary)}, "maxResults": {fmt.Sprint(searchPage)}, "fields": {"summary"}}
	var found struct {
		Issues []struct {
			ID     string `json:"id"`
			Key    string `json:"key"`
			Fields struct {
				Summary string `json:"summary"`
			} `json:"fields"`
		} `json:"issues"`
	}
	if fail := c.call(ctx, "search issues", http.MethodGet, c.Base.JoinPath(c.SearchPath), q, nil, &found); fail != nil {
		return "", fail
	}
	for _, is := range found.Issues {
		if is.Fields.Summary == summary && (is.Key != "" || is.ID != "") {
			return firstOf(is.Key, is.ID), nil
		}
	}
	return "", nil
}

// comment adds body to issue key.
func (c *Client) comment(ctx context.Context, key string, body any) saplugin.SendResult {
	var created struct {
		ID string `json:"id"`
	}
	u := c.Base.JoinPath("rest", "api", c.Version, "issue", key, "comment")
	if fail := c.call(ctx, "add comment", http.MethodPost, u, nil, map[string]any{"body": body}, &created); fail != nil {
		return *fail
	}
	return saplugin.SendResult{Status: saplugin.Delivered, Message: fmt.Sprintf("comment %s on issue %s", created.ID, key)}
}

// create opens a new issue.
func (c *Client) create(ctx context.Context, is Issue) saplugin.SendResult {
	fields := map[string]any{
		"project":     map[string]string{"key": is.Project},
		"summary":     is.Summary,
		"description": is.Description,
		"issuetype":   map[string]string{"name": is.IssueType},
	}
	for k, v := range is.Extra {
		fields[k] = v
	}
	var created struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	u := c.Base.JoinPath("rest", "api", c.Version, "issue")
	if fail := c.call(ctx, "create issue", http.MethodPost, u, nil, map[string]any{"fields": fields}, &created); fail != nil {
		return *fail
	}
	return saplugin.SendResult{Status: saplugin.Delivered, Message: "created issue " + firstOf(created.Key, created.ID)}
}

// call performs one authorized REST call and decodes its JSON answer into
// out; a 401 is tried once more with renewed credentials when they renew.
// Messages name the step.
func (c *Client) call(ctx context.Context, step, method string, u *url.URL, q url.Values, body, out any) *saplugin.SendResult {
	u.RawQuery = q.Encode()
	for renew := false; ; renew = true {
		req, err := httpout.NewJSONRequest(ctx, method, u.String(), body)
		if err != nil {
			return &saplugin.SendResult{Status: saplugin.Permanent, Message: step + ": " + err.Error()}
		}
		req.Header.Set("User-Agent", c.UserAgent)
		if fail := c.Auth.Authorize(ctx, req, renew); fail != nil {
			return fail
		}
		resp, fail := c.Call(req, Classify, out)
		if fail != nil && resp != nil && resp.Code == http.StatusUnauthorized && c.Renews && !renew {
			continue
		}
		if fail != nil {
			fail.Message = step + ": " + fail.Message
		}
		return fail
	}
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
