package dynamodb

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"

	ddb "github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/streamalert-go/sa/host/store"
)

// API is the part of the DynamoDB client the store calls; *dynamodb.Client
// implements it.
type API interface {
	GetItem(ctx context.Context, in *ddb.GetItemInput, opts ...func(*ddb.Options)) (*ddb.GetItemOutput, error)
	PutItem(ctx context.Context, in *ddb.PutItemInput, opts ...func(*ddb.Options)) (*ddb.PutItemOutput, error)
	DeleteItem(ctx context.Context, in *ddb.DeleteItemInput, opts ...func(*ddb.Options)) (*ddb.DeleteItemOutput, error)
	UpdateItem(ctx context.Context, in *ddb.UpdateItemInput, opts ...func(*ddb.Options)) (*ddb.UpdateItemOutput, error)
	Query(ctx context.Context, in *ddb.QueryInput, opts ...func(*ddb.Options)) (*ddb.QueryOutput, error)
	Scan(ctx context.Context, in *ddb.ScanInput, opts ...func(*ddb.Options)) (*ddb.ScanOutput, error)
	TransactWriteItems(ctx context.Context, in *ddb.TransactWriteItemsInput, opts ...func(*ddb.Options)) (*ddb.TransactWriteItemsOutput, error)
}

// Tables names the store's tables.
type Tables struct {
	// Alerts holds alerts and their deliveries.
	Alerts string
	// State holds checkpoints.
	State string
}

// Options configure a Store.
type Options struct {
	Tables Tables
	// MaxAttempts is the attempt budget of a pair. Default 10.
	MaxAttempts int
}

// Store is the DynamoDB alert store. It is safe for concurrent use, in one
// process or many.
type Store struct {
	db          API
	tables      Tables
	maxAttempts int
}

// New returns a store over existing tables (see CreateTables).
func New(db API, opts Options) (*Store, error) {
	if db == nil {
		return nil, errors.New("store: dynamodb: no client")
	}
	if opts.Tables.Alerts == "" || opts.Tables.State == "" {
		return nil, errors.New("store: dynamodb: both table names are required")
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	return &Store{db: db, tables: opts.Tables, maxAttempts: opts.MaxAttempts}, nil
}

// Close releases nothing: the client belongs to the caller.
func (s *Store) Close() error { return nil }

// newToken returns a random lease token, unique across processors without
// coordination.
func newToken() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("store: crypto/rand failed: " + err.Error()) // cannot happen on supported platforms
	}
	return int64(binary.BigEndian.Uint64(b[:]) >> 1)
}

var _ store.Store = (*Store)(nil)
