// Package httpout holds what sa's HTTPS output plugins share: the
// transport properties of their schemas (timeout, Retry-After ceiling, CA
// bundle) and the checks of their endpoint URLs; a client that always
// verifies TLS, never follows redirects and bounds every call; the
// classification of a response into delivered, retryable (honouring
// Retry-After) or permanent with the vendor's error text; the masking of
// secrets in that text; a registry of configured instances; the decoding
// of the alert and publication the host sends; Base, the plumbing of an
// output that builds a target per instance and adds its own Send; and
// IncomingWebhook, the whole of an output posting to a Slack-style
// incoming webhook.
//
// Every vendor plugin builds on it, so they all behave the same way where
// the vendor does not say otherwise.
package httpout
