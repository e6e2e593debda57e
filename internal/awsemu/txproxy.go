package awsemu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TxProxy stands in front of dynalite, which implements every DynamoDB call
// the store makes except TransactWriteItems, and adds that one with its
// documented behaviour: all items are written or none, a failed condition
// cancels the transaction with TransactionCanceledException and one
// cancellation reason per item, and two operations on one item are refused.
//
// Every other call is passed through under a shared lock; a transaction
// holds the lock exclusively, applies its operations one by one through
// dynalite's own conditional PutItem/UpdateItem/DeleteItem, and on a failure
// restores the images it saved before each one. No client can observe the
// transaction half done, which is the isolation DynamoDB gives.
type TxProxy struct {
	target string
	client *http.Client
	mu     sync.RWMutex
	keys   map[string][]string // table name to key attribute names
	// transactions counts the TransactWriteItems calls served.
	transactions int
}

// Count returns how many transactions the proxy served.
func (p *TxProxy) Count() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.transactions
}

// StartTxProxy serves a TxProxy for the dynalite at target and returns its
// endpoint.
func StartTxProxy(t testing.TB, target string) (string, *TxProxy) {
	p := &TxProxy{target: target, client: &http.Client{Timeout: 30 * time.Second}, keys: map[string][]string{}}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL, p
}

const targetPrefix = "DynamoDB_20120810."

func (p *TxProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if r.Header.Get("X-Amz-Target") == targetPrefix+"TransactWriteItems" {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.transactions++
		status, resp := p.transact(r, body)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.WriteHeader(status)
		w.Write(resp)
		return
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	res, err := p.send(r, strings.TrimPrefix(r.Header.Get("X-Amz-Target"), targetPrefix), body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for _, h := range []string{"Content-Type", "X-Amz-Crc32", "X-Amzn-Requestid"} {
		if v := res.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	w.WriteHeader(res.StatusCode)
	io.Copy(w, res.Body)
}

// send forwards one call to dynalite with the client's credentials
// (dynalite checks the Authorization header's shape, not its signature).
func (p *TxProxy) send(orig *http.Request, op string, body []byte) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, p.target+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
		if v := orig.Header.Get(h); v != "" {
			req.Header.Set(h, v)
		}
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", targetPrefix+op)
	return p.client.Do(req)
}

// call sends op with in as its body and decodes the answer.
func (p *TxProxy) call(orig *http.Request, op string, in any) (int, map[string]json.RawMessage, error) {
	b, err := json.Marshal(in)
	if err != nil {
		return 0, nil, err
	}
	res, err := p.send(orig, op, b)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	var out map[string]json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return 0, nil, fmt.Errorf("%s: decode answer: %w", op, err)
	}
	return res.StatusCode, out, nil
}

// undo restores one item's image from before a transaction wrote it.
type undo struct {
	table string
	key   map[string]json.RawMessage
	old   json.RawMessage // null: the item did not exist
}

func (p *TxProxy) transact(r *http.Request, body []byte) (int, []byte) {
	var in struct {
		TransactItems []map[string]map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &in); err != nil || len(in.TransactItems) == 0 || len(in.TransactItems) > 100 {
		return validation("TransactItems must hold 1 to 100 items")
	}
	var undos []undo
	reasons := make([]map[string]string, len(in.TransactItems))
	seen := map[string]bool{}
	for i, ti := range in.TransactItems {
		reasons[i] = map[string]string{"Code": "None"}
		if len(ti) != 1 {
			return validation("each TransactItem must hold exactly one operation")
		}
		for kind, op := range ti {
			u, code, err := p.apply(r, kind, op, seen)
			if err != nil {
				p.rollback(r, undos)
				return validation(err.Error())
			}
			if code != "" {
				p.rollback(r, undos)
				reasons[i] = map[string]string{"Code": code, "Message": "The conditional request failed"}
				return cancelled(reasons)
			}
			undos = append(undos, u)
		}
	}
	return http.StatusOK, []byte("{}")
}

// apply runs one operation of a transaction after saving the item's image.
// It returns a cancellation code when the operation's condition failed.
func (p *TxProxy) apply(r *http.Request, kind string, op map[string]json.RawMessage, seen map[string]bool) (undo, string, error) {
	var table string
	if err := json.Unmarshal(op["TableName"], &table); err != nil {
		return undo{}, "", fmt.Errorf("%s: no TableName", kind)
	}
	key, err := p.key(r, table, kind, op)
	if err != nil {
		return undo{}, "", err
	}
	id, _ := json.Marshal(key)
	if seen[table+string(id)] {
		return undo{}, "", fmt.Errorf("Transaction request cannot include multiple operations on one item")
	}
	seen[table+string(id)] = true
	_, got, err := p.call(r, "GetItem", map[string]any{"TableName": table, "Key": key, "ConsistentRead": true})
	if err != nil {
		return undo{}, "", err
	}
	u := undo{table: table, key: key, old: got["Item"]}
	delete(op, "ReturnValuesOnConditionCheckFailure")
	single := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}[kind]
	if single == "" {
		return undo{}, "", fmt.Errorf("%s is not supported here", kind)
	}
	status, res, err := p.call(r, single, op)
	if err != nil {
		return undo{}, "", err
	}
	if status != http.StatusOK {
		var typ string
		json.Unmarshal(res["__type"], &typ)
		if strings.HasSuffix(typ, "ConditionalCheckFailedException") {
			return undo{}, "ConditionalCheckFailed", nil
		}
		return undo{}, "", fmt.Errorf("%s: %s %s", kind, typ, res["message"])
	}
	return u, "", nil
}

// key returns the key of the item an operation names.
func (p *TxProxy) key(r *http.Request, table, kind string, op map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	if kind != "Put" {
		var key map[string]json.RawMessage
		err := json.Unmarshal(op["Key"], &key)
		return key, err
	}
	names, ok := p.keys[table]
	if !ok {
		_, desc, err := p.call(r, "DescribeTable", map[string]string{"TableName": table})
		if err != nil {
			return nil, err
		}
		var d struct {
			KeySchema []struct{ AttributeName string }
		}
		if err := json.Unmarshal(desc["Table"], &d); err != nil {
			return nil, fmt.Errorf("describe %s: %w", table, err)
		}
		for _, k := range d.KeySchema {
			names = append(names, k.AttributeName)
		}
		p.keys[table] = names
	}
	var it map[string]json.RawMessage
	if err := json.Unmarshal(op["Item"], &it); err != nil {
		return nil, err
	}
	key := map[string]json.RawMessage{}
	for _, n := range names {
		key[n] = it[n]
	}
	return key, nil
}

// rollback restores the saved images, newest first.
func (p *TxProxy) rollback(r *http.Request, undos []undo) {
	for i := len(undos) - 1; i >= 0; i-- {
		u := undos[i]
		if len(u.old) == 0 || string(u.old) == "null" {
			p.call(r, "DeleteItem", map[string]any{"TableName": u.table, "Key": u.key})
		} else {
			p.call(r, "PutItem", map[string]any{"TableName": u.table, "Item": u.old})
		}
	}
}

func validation(msg string) (int, []byte) {
	b, _ := json.Marshal(map[string]string{"__type": "com.amazon.coral.validate#ValidationException", "message": msg})
	return http.StatusBadRequest, b
}

func cancelled(reasons []map[string]string) (int, []byte) {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r["Code"]
	}
	b, _ := json.Marshal(map[string]any{
		"__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
		"Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [" +
			strings.Join(codes, ", ") + "]",
		"CancellationReasons": reasons,
	})
	return http.StatusBadRequest, b
}
