// Package outputcfg adds, changes, lists and deletes output instances
// ("slack:soc"): what `sa output` does. It knows no service: every prompt
// and check comes from the schema the output plugin described at install,
// and, when the plugin can be started, from the plugin's own
// ValidateConfig.
//
// An instance lives in three places, which the runtime reads:
//
//   - its credentials (the properties the schema marks Credential or
//     Secret) in the secret store, under "output/<service>/<descriptor>";
//   - its other properties in sa.yaml, under outputs."<service>:<descriptor>"
//     (the descriptor itself is not stored: the runtime adds it);
//   - its descriptor in conf/outputs.json, in StreamAlert's format, so the
//     conf directory still loads in StreamAlert and lists what rules may
//     name.
//
// A change writes them in that order, so that no configuration ever points
// at credentials that are not there yet, and rolls back what it wrote when
// a later step fails; a delete goes the other way round. Each file is
// replaced atomically, and concurrent `sa output` commands on one home
// take turns on a lock file. sa.yaml is edited as text, line by line, so
// its comments and layout survive; outputs.json is written as StreamAlert
// writes it, so a file StreamAlert wrote changes only by the edit.
//
// [Prompter] asks a person for the values, from the schema alone: it
// checks each value as it is typed (type, forbidden characters, pattern)
// and hides what is typed for Secret properties when input is a terminal.
package outputcfg
