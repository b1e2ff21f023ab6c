package config

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/intake-support/intake/internal/yamlerr"
)

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = resolve(n)
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// kindName names n, following an alias to what it names.
func kindName(n *yaml.Node) string { return yamlerr.KindName(resolve(n)) }

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// lastKey is the last element of a path: "next" for tiers[1].next, "days[2]"
// for business_hours.days[2].
func lastKey(path string) string {
	return path[strings.LastIndexByte(path, '.')+1:]
}

// parentPath drops the last element of a path, index or key.
func parentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
