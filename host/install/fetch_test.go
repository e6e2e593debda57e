package install

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/streamalert-go/sa/host/secrets/secrettest"
)

// indexToken is the index's bearer token; tests look for it where it must
// not be.
const indexToken = "idx-tok-7f3a9c1e5b2d4f60a8e1"

// TestIndexToken: the token reaches the index's own host and no other,
// and appears in no error or output.
func TestIndexToken(t *testing.T) {
	pub := twoReleases(t)
	var archiveAuth atomic.Value
	archiveAuth.Store("")
	archives := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Authorization"); a != "" {
			archiveAuth.Store(a)
		}
		http.FileServer(http.Dir(pub.dir)).ServeHTTP(w, r)
	}))
	defer archives.Close()
	// The index lists absolute URLs on the archive host.
	pub.editIndex(t, func(ix *Index) {
		for i := range ix.Plugins[0].Versions {
			for j := range ix.Plugins[0].Versions[i].Archives {
				a := &ix.Plugins[0].Versions[i].Archives[j]
				a.URL = archives.URL + "/" + a.URL
			}
		}
	})
	data, _ := os.ReadFile(filepath.Join(pub.dir, IndexFile))
	idx := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+indexToken {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		w.Write(data)
	}))
	defer idx.Close()
	srv := serve(t, t.TempDir()) // only for its CA file: httptest servers share one certificate
	cfg := Config{Indexes: []IndexConfig{{Name: "acme", URL: idx.URL + "/index.json", CAFile: srv.caFile, TokenEnv: "SA_TEST_INDEX_TOKEN"}},
		TrustedKeys: []TrustedKey{pub.trusted("acme")}}

	t.Setenv("SA_TEST_INDEX_TOKEN", "wrong-token-value-1234")
	in, out := newInstaller(t, t.TempDir(), cfg, Policy{})
	_, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file")}})
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "HTTP 401 Unauthorized (check the index's token_env)") {
		t.Fatalf("wrong token: %v", err)
	}
	secrettest.AssertNoLeak(t, []string{"wrong-token-value-1234"}, err.Error(), out.String())

	t.Setenv("SA_TEST_INDEX_TOKEN", indexToken)
	in, out = newInstaller(t, t.TempDir(), cfg, Policy{})
	if _, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file")}}); err != nil {
		t.Fatal(err)
	}
	if a := archiveAuth.Load().(string); a != "" {
		t.Error("the index's token was sent to the archive host")
	}
	secrettest.AssertNoLeak(t, []string{indexToken}, out.String())
}

func TestFetchRetriesAndRefusesPlainHTTP(t *testing.T) {
	pub := twoReleases(t)
	var calls atomic.Int32
	files := http.FileServer(http.Dir(pub.dir))
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/index.json" && calls.Add(1) == 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case r.URL.Path == "/moved.json":
			http.Redirect(w, r, "http://example.com/index.json", http.StatusFound)
		default:
			files.ServeHTTP(w, r)
		}
	}))
	defer s.Close()
	ca := serve(t, t.TempDir()).caFile
	in, _ := newInstaller(t, t.TempDir(), Config{Indexes: []IndexConfig{{Name: "acme", URL: s.URL + "/index.json", CAFile: ca}},
		TrustedKeys: []TrustedKey{pub.trusted("acme")}}, Policy{})
	if _, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file")}}); err != nil || calls.Load() != 2 {
		t.Fatalf("after one 503: %v (%d calls)", err, calls.Load())
	}
	in, _ = newInstaller(t, t.TempDir(), Config{Indexes: []IndexConfig{{Name: "acme", URL: s.URL + "/moved.json", CAFile: ca}}}, Policy{})
	if _, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file")}}); err == nil || !strings.Contains(err.Error(), "only https is followed") {
		t.Fatalf("redirect to http: %v", err)
	}
	// TLS is verified: without the CA file the test server is not trusted.
	in, _ = newInstaller(t, t.TempDir(), Config{Indexes: []IndexConfig{{Name: "acme", URL: s.URL + "/index.json"}}}, Policy{})
	if _, err := in.Install(ctx(t), []Request{{Name: mustName(t, "output.file")}}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted TLS: %v", err)
	}
}

// TestArchiveURLs: archive URLs resolve against their index, and an https
// index may point only to https, never to a local file.
func TestArchiveURLs(t *testing.T) {
	for _, tt := range []struct{ base, ref, want string }{
		{"https://x.example/p/index.json", "a.tar.gz", "https://x.example/p/a.tar.gz"},
		{"https://x.example/p/index.json", "https://cdn.example/a.tar.gz", "https://cdn.example/a.tar.gz"},
		{"file:///srv/m/index.json", "a.tar.gz", "file:///srv/m/a.tar.gz"},
		{"https://x.example/index.json", "file:///etc/passwd", ""},
		{"https://x.example/index.json", "http://x.example/a.tar.gz", ""},
	} {
		base, _ := url.Parse(tt.base)
		got, err := archiveURL(base, tt.ref)
		if tt.want == "" {
			if err == nil {
				t.Errorf("%s + %s accepted", tt.base, tt.ref)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("%s + %s = %v %v", tt.base, tt.ref, got, err)
		}
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, "output.file 1.0.0", 2048)
	p.Write(make([]byte, 1024))
	p.finish()
	if got := buf.String(); !strings.Contains(got, "[===============               ]  50%  1.0 KiB / 2.0 KiB") || !strings.HasSuffix(got, "\n") {
		t.Errorf("progress %q", got)
	}
	if IsTerminal(&buf) {
		t.Error("a buffer is a terminal")
	}
}
