package install

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/streamalert-go/sa/internal/cabundle"
)

// Fetch timeouts. Downloads have no overall deadline short enough to fail
// a large archive on a slow link; instead a download that makes no
// progress for IdleTimeout is abandoned.
const (
	indexTimeout   = time.Minute
	idleTimeout    = time.Minute
	downloadMax    = 30 * time.Minute
	maxIndexBytes  = 16 << 20
	fetchAttempts  = 3
	userAgent      = "sa-plugin-installer"
	retryBaseDelay = 300 * time.Millisecond
)

// ErrUnreachable is wrapped when an index or archive cannot be fetched.
var ErrUnreachable = errors.New("cannot fetch")

// fetcher gets index documents and archives over HTTPS, with TLS always
// verified, or from file:// URLs.
type fetcher struct {
	// progress, when set, is a terminal that download progress is drawn on.
	progress io.Writer

	mu      sync.Mutex
	clients map[string]*http.Client // by CA file
}

func newFetcher(progress io.Writer) *fetcher {
	return &fetcher{progress: progress, clients: map[string]*http.Client{}}
}

// client returns an HTTP client trusting the system roots plus caFile.
func (f *fetcher) client(caFile string) (*http.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.clients[caFile]; ok {
		return c, nil
	}
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	pool, err := cabundle.RootCAs(caFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	tlsConf.RootCAs = pool
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c := &http.Client{Transport: tr, CheckRedirect: httpsOnly}
	f.clients[caFile] = c
	return c, nil
}

// httpsOnly refuses redirects away from https and follows at most 10.
func httpsOnly(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("more than 10 redirects")
	}
	if req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to %s: only https is followed", req.URL.Redacted())
	}
	return nil
}

// origin is where a request goes and what it may carry.
type origin struct {
	// caFile is trusted for TLS beside the system roots.
	caFile string
	// token is sent as a bearer token to tokenHost only.
	token     string
	tokenHost string
	// allowFile allows file:// URLs (for file:// indexes only).
	allowFile bool
}

// open fetches u and returns its body and its length (-1 if unknown).
// Transient failures (network errors, 5xx, 429) are retried.
func (f *fetcher) open(ctx context.Context, u *url.URL, o origin) (io.ReadCloser, int64, error) {
	switch u.Scheme {
	case "file":
		if !o.allowFile {
			return nil, 0, fmt.Errorf("%s: file URLs are only followed from a file:// index", u.Redacted())
		}
		fh, err := os.Open(u.Path)
		if err != nil {
			return nil, 0, fmt.Errorf("%w %s: %w", ErrUnreachable, u.Redacted(), err)
		}
		fi, err := fh.Stat()
		if err != nil {
			fh.Close()
			return nil, 0, err
		}
		return fh, fi.Size(), nil
	case "https":
	default:
		return nil, 0, fmt.Errorf("%s: only https:// and file:// URLs are fetched", u.Redacted())
	}
	c, err := f.client(o.caFile)
	if err != nil {
		return nil, 0, err
	}
	var lastErr error
	for attempt := range fetchAttempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, 0, ctx.Err()
			case <-time.After(retryBaseDelay << (2 * (attempt - 1))):
			}
		}
		body, n, retry, err := f.get(ctx, c, u, o)
		if err == nil {
			return body, n, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return nil, 0, lastErr
}

func (f *fetcher) get(ctx context.Context, c *http.Client, u *url.URL, o origin) (io.ReadCloser, int64, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, 0, false, err
	}
	req.Header.Set("User-Agent", userAgent)
	if o.token != "" && u.Host == o.tokenHost {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	resp, err := c.Do(req)
	if err != nil {
		// The URL is redacted: it may carry credentials in its user info.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, 0, true, fmt.Errorf("%w %s: %w", ErrUnreachable, u.Redacted(), err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp.Body, resp.ContentLength, false, nil
	}
	resp.Body.Close()
	retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
	msg := fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		msg += " (check the index's token_env)"
	}
	return nil, 0, retry, fmt.Errorf("%w %s: %s", ErrUnreachable, u.Redacted(), msg)
}

// idleReader cancels a download that makes no progress for a while.
type idleReader struct {
	r     io.Reader
	timer *time.Timer
	d     time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.timer.Reset(i.d)
	}
	return n, err
}

// download fetches an archive into the cache and returns it, checked
// against want when want is set. A cached copy with that sum is used
// without fetching.
func (f *fetcher) download(ctx context.Context, cache *Cache, u *url.URL, o origin, want, label string) (*os.File, string, error) {
	if want != "" {
		if fh, ok, err := cache.Open(want); err != nil || ok {
			return fh, want, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, downloadMax)
	defer cancel()
	body, size, err := f.open(ctx, u, o)
	if err != nil {
		return nil, "", err
	}
	defer body.Close()
	if size > DefaultLimits.Archive {
		return nil, "", fmt.Errorf("%w: %s is %d bytes, more than the %d allowed", ErrUnsafe, u.Redacted(), size, DefaultLimits.Archive)
	}
	idle := time.AfterFunc(idleTimeout, cancel)
	defer idle.Stop()
	r := io.Reader(&idleReader{r: body, timer: idle, d: idleTimeout})
	var bar *progress
	if f.progress != nil {
		bar = newProgress(f.progress, label, size)
		r = io.TeeReader(r, bar)
	}
	fh, sum, err := cache.Put(r, want, DefaultLimits.Archive)
	if bar != nil {
		bar.finish()
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ErrChecksum) {
		err = fmt.Errorf("%w %s: stalled or cancelled: %w", ErrUnreachable, u.Redacted(), err)
	}
	return fh, sum, err
}

// readIndex fetches and parses an index document.
func (f *fetcher) readIndex(ctx context.Context, ix IndexConfig) (*Index, *url.URL, origin, error) {
	u, err := url.Parse(ix.URL)
	if err != nil {
		return nil, nil, origin{}, fmt.Errorf("index %s: %w", ix.Name, err)
	}
	o := origin{caFile: ix.CAFile, allowFile: u.Scheme == "file", tokenHost: u.Host}
	if ix.TokenEnv != "" {
		o.token = os.Getenv(ix.TokenEnv)
	}
	ctx, cancel := context.WithTimeout(ctx, indexTimeout)
	defer cancel()
	body, _, err := f.open(ctx, u, o)
	if err != nil {
		return nil, nil, o, fmt.Errorf("index %s: %w", ix.Name, err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxIndexBytes+1))
	if err != nil {
		return nil, nil, o, fmt.Errorf("index %s: %w %s: %w", ix.Name, ErrUnreachable, u.Redacted(), err)
	}
	if len(data) > maxIndexBytes {
		return nil, nil, o, fmt.Errorf("index %s: larger than %s", ix.Name, strconv.Itoa(maxIndexBytes))
	}
	parsed, err := ParseIndex("index "+ix.Name+" ("+u.Redacted()+")", data)
	if err != nil {
		return nil, nil, o, err
	}
	return parsed, u, o, nil
}

// archiveURL resolves an archive's URL against its index and checks that
// the index may point there.
func archiveURL(base *url.URL, ref string) (*url.URL, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return nil, fmt.Errorf("archive url %q: %w", ref, err)
	}
	u := base.ResolveReference(r)
	if u.Scheme != "https" && !(u.Scheme == "file" && base.Scheme == "file") {
		return nil, fmt.Errorf("archive url %s: an index at %s may point only to https:// URLs", u.Redacted(), base.Redacted())
	}
	return u, nil
}
