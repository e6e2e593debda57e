package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/streamalert-go/sa/host/runtime/embedded"
	"github.com/streamalert-go/sa/host/secrets"
)

func newIngestCmd(g *globals) *cobra.Command {
	var source, server string
	var local bool
	cmd := &cobra.Command{
		Use:   "ingest --source NAME [FILE|-]",
		Short: "Send log records (one per line) to a running sa serve, or process them once here",
		Long: `ingest reads records, one per line, from FILE or standard input and posts
them to the ingest endpoint of a running sa serve, gzipped, in batches within
its body limit, authorised with the source's token from the secret store. A
batch the server accepts is durable: it is processed even if the server stops
right after.

With --local, no server is needed: the records are classified, evaluated,
stored and delivered in this process, which exits when all of it is done.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if local {
				return ingestLocal(cmd, g, source, args)
			}
			cfg, err := embedded.LoadConfig(g.home)
			if err != nil {
				return err
			}
			src, ok := findSource(cfg, source)
			if !ok {
				return fmt.Errorf("no source %q in %s", source, embedded.ConfigFile)
			}
			token, err := sourceToken(cmd.Context(), cfg, src)
			if err != nil {
				return err
			}
			in, err := openInput(args)
			if err != nil {
				return err
			}
			defer in.Close()
			if server == "" {
				server = "http://" + embedded.ServeAddr(g.home, cfg)
			}
			c := &ingestClient{url: server + "/v1/ingest/" + src.Name, token: token, max: cfg.Limits.MaxBody / 2,
				http: http.Client{Timeout: 2 * time.Minute}}
			n, err := c.send(cmd.Context(), in)
			fmt.Fprintf(cmd.OutOrStdout(), "%d records accepted by source %s\n", n, src.Name)
			return err
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "ingest source name from sa.yaml (required)")
	cmd.Flags().StringVar(&server, "server", "", "server URL (default: the running server's address in serve.addr, else listen from sa.yaml)")
	cmd.Flags().BoolVar(&local, "local", false, "process the records in this process instead of sending them to a server")
	cmd.MarkFlagRequired("source")
	return cmd
}

func ingestLocal(cmd *cobra.Command, g *globals, source string, args []string) error {
	in, err := openInput(args)
	if err != nil {
		return err
	}
	defer in.Close()
	var records [][]byte
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			records = append(records, bytes.Clone(sc.Bytes()))
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	s, err := embedded.Open(cmd.Context(), g.home, embedded.Options{PluginDirs: g.dirs()[1:]})
	if err != nil {
		return err
	}
	n, err := s.IngestLocal(cmd.Context(), source, records)
	fmt.Fprintf(cmd.OutOrStdout(), "%d records processed, %d alerts stored\n", len(records), n)
	return err
}

func findSource(cfg *embedded.Config, name string) (embedded.Source, bool) {
	for _, s := range cfg.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return embedded.Source{}, false
}

func sourceToken(ctx context.Context, cfg *embedded.Config, src embedded.Source) (string, error) {
	key, err := secrets.LoadKey(cfg.SecretKey)
	if err != nil {
		return "", err
	}
	st, err := secrets.New(cfg.Secrets, key)
	if err != nil {
		return "", err
	}
	v, err := st.Get(ctx, src.Token)
	if err != nil {
		return "", fmt.Errorf("source %s token: %w", src.Name, err)
	}
	return v["token"].Reveal(), nil
}

func openInput(args []string) (io.ReadCloser, error) {
	if len(args) == 0 || args[0] == "-" {
		return io.NopCloser(os.Stdin), nil
	}
	return os.Open(args[0])
}

// ingestClient posts NDJSON batches.
type ingestClient struct {
	url, token string
	max        int64
	http       http.Client
}

// send posts every line of r and returns how many records were accepted.
func (c *ingestClient) send(ctx context.Context, r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), int(c.max))
	var batch bytes.Buffer
	lines, total := 0, 0
	flush := func() error {
		if lines == 0 {
			return nil
		}
		if err := c.post(ctx, batch.Bytes()); err != nil {
			return err
		}
		total += lines
		batch.Reset()
		lines = 0
		return nil
	}
	for sc.Scan() {
		if int64(batch.Len()+len(sc.Bytes())+1) > c.max {
			if err := flush(); err != nil {
				return total, err
			}
		}
		batch.Write(sc.Bytes())
		batch.WriteByte('\n')
		lines++
	}
	if err := sc.Err(); err != nil {
		return total, fmt.Errorf("read input: %w", err)
	}
	return total, flush()
}

// post sends one batch, retrying while the server asks to (503).
func (c *ingestClient) post(ctx context.Context, body []byte) error {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(gz.Bytes()))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Content-Encoding", "gzip")
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("post to %s: %w (is sa serve running?)", c.url, err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusAccepted:
			return nil
		case resp.StatusCode == http.StatusServiceUnavailable && attempt < 5:
			time.Sleep(time.Duration(attempt) * time.Second)
			continue
		}
		var e struct{ Error string }
		json.Unmarshal(msg, &e)
		return fmt.Errorf("server refused the batch: %s: %s", resp.Status, e.Error)
	}
}
