package yamlerr

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Problem is one mistake in a YAML file (the configuration or a knowledge
// base file), at the position of the offending node.
type Problem struct {
	File string
	Line int
	Col  int
	Msg  string
}

// Error formats the problem as FILE:LINE:COL: message.
func (p Problem) Error() string { return fmt.Sprintf("%s:%d:%d: %s", p.File, p.Line, p.Col, p.Msg) }

// KindName names what a node is, for messages such as "expected a list, got
// a mapping": its kind, or a scalar's quoted value. An alias is named as
// such; callers that follow aliases resolve the node first.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}
