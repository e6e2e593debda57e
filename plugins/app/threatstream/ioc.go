package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// defaultLife is how long an indicator without an expiry is kept, as
// StreamAlert's downloader keeps it.
const defaultLife = 90 * 24 * time.Hour

// intelligence is what the plugin reads of a ThreatStream intelligence
// object; other members are ignored.
type intelligence struct {
	Value      string `json:"value"`
	Type       string `json:"type"`
	IType      string `json:"itype"`
	Source     string `json:"source"`
	Expiration string `json:"expiration_ts"`
}

// ioc is one indicator as the plugin emits it, shaped as StreamAlert's
// threat intel table stores it.
type ioc struct {
	Value      string `json:"ioc_value"`
	Type       string `json:"ioc_type"`
	SubType    string `json:"sub_type"`
	Source     string `json:"source"`
	Expiration int64  `json:"expiration_ts"`
}

// iocType maps a ThreatStream type and value to an sa IOC type, or "" for
// types sa does not match on. ThreatStream files every hash under "md5";
// the value's length tells which hash it is.
func iocType(typ, value string) string {
	switch strings.ToLower(typ) {
	case "ip", "domain", "url":
		return strings.ToLower(typ)
	case "md5":
		switch len(value) {
		case 32:
			return "md5"
		case 40:
			return "sha1"
		case 64:
			return "sha256"
		}
	}
	return ""
}

// toIOC converts an intelligence object, or says why it is skipped.
func toIOC(in intelligence, now time.Time) (ioc, error) {
	value := strings.TrimSpace(in.Value)
	if value == "" {
		return ioc{}, errors.New("no value")
	}
	typ := iocType(in.Type, value)
	if typ == "" && strings.EqualFold(in.Type, "md5") {
		return ioc{}, errors.New("hash of no known length")
	}
	if typ == "" {
		return ioc{}, fmt.Errorf("type %.20q is not one sa matches", in.Type)
	}
	if typ == "md5" || typ == "sha1" || typ == "sha256" {
		value = strings.ToLower(value)
	}
	exp, err := expiry(in.Expiration, now)
	if err != nil {
		return ioc{}, err
	}
	return ioc{Value: value, Type: typ, SubType: in.IType, Source: in.Source, Expiration: exp}, nil
}

// expiryLayouts are the timestamp forms ThreatStream writes expiration_ts
// in; a value without a zone is UTC.
var expiryLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"}

// expiry converts expiration_ts to Unix seconds; an absent one is now +
// 90 days.
func expiry(s string, now time.Time) (int64, error) {
	if s == "" {
		return now.Add(defaultLife).Unix(), nil
	}
	for _, l := range expiryLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.Unix(), nil
		}
	}
	return 0, errors.New("expiration_ts is not a timestamp")
}

// sourceMatches reports whether source contains any of filters, ignoring
// case; no filters keep every source.
func sourceMatches(source string, filters []string) bool {
	if len(filters) == 0 {
		return true
	}
	s := strings.ToLower(source)
	for _, f := range filters {
		if strings.Contains(s, strings.ToLower(f)) {
			return true
		}
	}
	return false
}

// encode returns the JSON of an IOC.
func (i ioc) encode() []byte {
	b, err := json.Marshal(i)
	if err != nil {
		panic(fmt.Sprintf("threatstream: encode ioc: %v", err)) // strings and a number only
	}
	return b
}
