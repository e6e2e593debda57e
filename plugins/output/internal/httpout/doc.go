// Package httpout holds what sa's HTTPS output plugins share: a client that
// always verifies TLS, never follows redirects and bounds every call; the
// classification of a response into delivered, retryable or permanent with
// the vendor's error text; the masking of secrets in that text; a registry
// of configured instances; and the decoding of the alert and publication
// the host sends.
//
// It is the webhook plugin's machinery made reusable, so every vendor
// plugin behaves the same way where the vendor does not say otherwise.
package httpout
