// Package awsout holds what sa's AWS output plugins (aws-firehose,
// aws-lambda, aws-lambda-v2, aws-s3, aws-sns, aws-sqs, aws-ses and
// aws-cloudwatch-log) share:
//
//   - the common configuration every instance takes: region, endpoint
//     override, assumed role with external id, optional static keys and a
//     CA bundle (Properties, Settings);
//   - one aws.Config per instance, built without shared config files,
//     with a bounded HTTP client and a modest retryer, cached and rebuilt
//     when the instance's configuration changes (Output);
//   - the classification of an SDK error into retryable or permanent with
//     the AWS error code and message, masked of the instance's secrets
//     (Classify);
//   - the payload helpers the services' size limits call for.
//
// A plugin describes its service with a Service value and serves
// New(service) with saplugin.ServeOutput. Alert and publication decoding,
// the instance registry and secret masking come from package httpout.
package awsout
