package awsfake

import (
	"slices"
	"strings"
)

// state is the resources the services hold.
type state struct {
	queues     map[string]bool            // SQS queue names
	streams    map[string]bool            // Firehose delivery streams
	groups     map[string]map[string]bool // log group → log streams
	topics     map[string]bool            // SNS topic ARNs
	functions  map[string]map[string]bool // Lambda function name → qualifiers
	identities map[string]bool            // SES verified addresses and domains
	roles      map[string]string          // role ARN → external id required
	batches    firehoseBatches            // Firehose PutRecordBatch deliveries
	ssm        ssmState                   // SSM parameters and KMS keys
	athena     athenaState                // Athena workgroups, scripts and executions
}

func newState() state {
	return state{queues: map[string]bool{}, streams: map[string]bool{}, groups: map[string]map[string]bool{},
		topics: map[string]bool{}, functions: map[string]map[string]bool{}, identities: map[string]bool{},
		roles: map[string]string{}}
}

// AddQueue creates an SQS queue and returns its URL.
func (s *Server) AddQueue(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queues[name] = true
	return s.QueueURL(name)
}

// DeleteQueue deletes an SQS queue.
func (s *Server) DeleteQueue(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.queues, name)
}

// QueueURL is the URL GetQueueUrl answers for a queue.
func (s *Server) QueueURL(name string) string {
	return s.URL + "/" + Account + "/" + name
}

// AddStream creates a Firehose delivery stream.
func (s *Server) AddStream(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.streams[name] = true
}

// AddLogGroup creates a CloudWatch Logs group with the given streams.
func (s *Server) AddLogGroup(name string, streams ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := map[string]bool{}
	for _, st := range streams {
		g[st] = true
	}
	s.groups[name] = g
}

// LogStreams lists a log group's streams, sorted.
func (s *Server) LogStreams(group string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for st := range s.groups[group] {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}

// AddTopic creates an SNS topic in the fake's region and returns its ARN.
func (s *Server) AddTopic(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	arn := "arn:aws:sns:" + Region + ":" + Account + ":" + name
	s.topics[arn] = true
	return arn
}

// AddFunction creates a Lambda function with the given qualifiers
// (versions and aliases) and returns its ARN.
func (s *Server) AddFunction(name string, qualifiers ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := map[string]bool{"$LATEST": true}
	for _, v := range qualifiers {
		q[v] = true
	}
	s.functions[name] = q
	return functionARN(Region, name, "")
}

func functionARN(region, name, qualifier string) string {
	arn := "arn:aws:lambda:" + region + ":" + Account + ":function:" + name
	if qualifier != "" {
		arn += ":" + qualifier
	}
	return arn
}

// VerifyIdentity verifies an SES sending identity: an address or a domain.
func (s *Server) VerifyIdentity(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identities[strings.ToLower(id)] = true
}

// AllowRole lets callers assume roleARN, with externalID when it is set.
func (s *Server) AllowRole(roleARN, externalID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.roles[roleARN] = externalID
}
