// Package publish composes publications: the JSON object an output plugin
// gets beside the alert, shaped per output by the rule's publishers
// (StreamAlert's shared/publisher.py and publishers/, reference §5.4).
//
// A [Composer] does what StreamAlert's compose_alert does, for one alert and
// one output "service:descriptor":
//
//   - The publisher names are the alert's publishers under the service key
//     ("slack") followed by those under the output key ("slack:soc"), so
//     both the per-output map the rules engine stores (§3.4) and a
//     per-service map work. The required archive output
//     "aws-firehose:alerts" never gets rule publishers.
//   - Names the table does not know are skipped and reported once per rule
//     and name, as a configuration error, never a failed delivery. (Rules
//     are checked at load with [Composer.Check].)
//   - With no publishers left, the publication is the default one:
//     StreamAlert's output_dict, the alert's cluster, context, created, id,
//     log_source, log_type, outputs, publishers, record, rule_description,
//     rule_name, source_entity, source_service and staged.
//   - Otherwise the publishers run in order starting from an empty object,
//     not the default publication, each on a deep copy of the previous
//     result: as in StreamAlert, a chain that wants the alert's fields
//     starts with "DefaultPublisher" or "add_record".
//
// The record publishers see is the alert's record without its
// "streamalert_normalization" member, which StreamAlert's alert processor
// removed before any output ran.
//
// Publishers are plain functions from JSON to JSON ([Func]): they read the
// alert through [Alert] and return the next publication, made only of
// what encoding/json decodes into an interface (maps, slices, strings,
// json.Number, bool, nil), because the publication crosses the process
// boundary to a plugin. The built-in table ([Builtins]) holds every
// publisher StreamAlert ships (community and sample), under StreamAlert's
// own names — both the short name ("Summary", "add_record") and the full
// dotted one ("publishers.community.slack.slack_layout.Summary") — so rules
// ported from StreamAlert name them as they did. Where a publisher renders
// text (Slack attachments, stringified arrays, str.format templates) it
// renders it as Python 3 would, so outputs look the same.
//
// Deliberate differences from StreamAlert 3.5, each for a defect:
//
//   - A publisher that fails (a bad regular expression in remove_fields, a
//     template naming a missing field) fails the delivery permanently with
//     the publisher's name and the reason; StreamAlert retried it forever.
//   - demisto_classification without a "demisto" context leaves the
//     publication as it is; StreamAlert's sample classifier raised
//     AttributeError (str.contains) on every alert.
//   - AttachFullRecord's footer names the source service, linked to the AWS
//     console only for AWS services; StreamAlert built a console link for
//     any service and dropped the plain form by a no-op statement.
//   - Publications are encoded by encoding/json, so object keys come out
//     sorted rather than in insertion order.
//
// Summary's title links where [Options.RuleLink] says (sa.yaml's
// rule_link), by default to a search of StreamAlert's GitHub repository,
// as StreamAlert did: that is where the community rules live.
//
// populate_fields keeps StreamAlert's behaviour of always producing lists
// (the docstring promised single values), because rules and templates
// written against StreamAlert expect the lists.
package publish
