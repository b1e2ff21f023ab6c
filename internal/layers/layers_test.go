package layers

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/intake-support/intake"

// group names the layer a package (its path in the module, "" for the
// domain) belongs to. Each adapter is a group of its own, so adapters cannot
// import one another; so is each handler.
func group(pkg string) string {
	first, rest, _ := strings.Cut(pkg, "/")
	switch first {
	case "":
		return "domain"
	case "internal", "config", "store":
		return first
	case "cmd", "e2e":
		return "cmd"
	case "httpapi", "metrics":
		return "adapter:" + first
	case "triage", "escalation":
		return "handler:" + first
	case "channels":
		if rest == "" {
			return "spine"
		}
		if slices.Contains(parsers, pkg) {
			return "parser"
		}
		name, _, _ := strings.Cut(rest, "/")
		return "adapter:" + name
	}
	return ""
}

// parsers are the packages of pure parsing an adapter uses: they read the
// bytes they are given and do no I/O (see TestParsersDoNoIO).
var parsers = []string{"channels/email/mailparse"}

// pureHandlers are the handlers' packages: they decide, and the spine does
// every write (the incident, the replies, the draft articles).
var pureHandlers = []string{"escalation", "triage", "triage/lang", "triage/model"}

// below lists, for each group, the groups its packages may import besides
// their own. Adapters share one rule, handlers another.
var below = map[string][]string{
	"domain":   nil,
	"internal": nil,
	"config":   {"domain", "internal"},
	"store":    {"domain", "internal"},
	"spine":    {"store", "config", "domain", "internal"},
	"adapter":  {"spine", "parser", "store", "config", "domain", "internal"},
	"parser":   {"domain", "internal"},
	"handler":  {"config", "domain", "internal"},
}

// allowed reports whether package from may import package to (both paths
// in the module).
func allowed(from, to string) bool {
	gf, gt := group(from), group(to)
	switch {
	case gf == "" || gt == "":
		return false
	case gf == gt || gf == "cmd":
		return true
	}
	kind, _, _ := strings.Cut(gf, ":")
	return slices.Contains(below[kind], gt)
}

func TestAllowed(t *testing.T) {
	tests := []struct {
		from, to string
		want     bool
	}{
		{"cmd/intake", "channels/email", true},
		{"cmd/intake", "escalation", true},
		{"channels/email", "channels", true},
		{"channels/email", "store", true},
		{"channels/email", "config", true},
		{"channels/email", "channels/slack", false},
		{"channels/slack/slackfake", "channels/slack", true},
		{"channels", "store", true},
		{"channels", "", true},
		{"channels", "channels/email", false},
		{"channels", "escalation", false},
		{"store/bolt", "store", true},
		{"store", "config", false},
		{"config", "store", false},
		{"config", "internal/yamlerr", true},
		{"", "config", false},
		{"escalation", "config", true},
		{"escalation", "channels", false},
		{"escalation", "store", false},
		{"escalation", "metrics", false},
		{"escalation", "triage", false},
		{"escalation", "internal/textproc", true},
		{"triage", "internal/textproc", true},
		{"triage", "channels", false},
		{"triage", "escalation", false},
		{"triage/model", "triage/kb", true},
		{"metrics", "channels", true},
		{"channels/email", "channels/email/mailparse", true},
		{"channels/email/mailparse", "channels/email", false},
		{"channels/email/mailparse", "channels", false},
		{"channels/email/mailparse", "store", false},
		{"channels/email/mailparse", "config", false},
		{"channels/email/mailparse", "", true},
		{"channels/slack", "channels/email/mailparse", true},
		{"metrics", "escalation", false},
		{"unknown", "", false},
	}
	for _, tt := range tests {
		if got := allowed(tt.from, tt.to); got != tt.want {
			t.Errorf("allowed(%q, %q) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

// TestImportsPointDown reads the imports of every non-test Go file in the
// module and fails on each one against the layering.
func TestImportsPointDown(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	imports, err := moduleImports(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(imports) < 20 {
		t.Fatalf("found %d packages under %s, want the whole module", len(imports), root)
	}
	for _, from := range slices.Sorted(maps.Keys(imports)) {
		if group(from) == "" {
			t.Errorf("package %q is in no layer: place it in group() and README.md's Layout", "./"+from)
			continue
		}
		for _, to := range imports[from] {
			if !allowed(from, to) {
				t.Errorf("%s (%s) imports %s (%s): against the layering in README.md's Layout", show(from), group(from), show(to), group(to))
			}
		}
	}
}

// ioImports are the imports that give a package I/O: the network, files,
// processes, the mail protocols. net/mail, a parser of addresses, is not one.
var ioImports = []string{"net", "net/http", "net/smtp", "os", "os/exec", "syscall",
	"github.com/emersion/go-imap", "github.com/emersion/go-smtp", "github.com/emersion/go-sasl", "golang.org/x/oauth2"}

// TestParsersAndHandlersDoNoIO fails when a parser's or a handler's non-test files import
// anything that does I/O.
func TestParsersAndHandlersDoNoIO(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range append(slices.Clone(parsers), pureHandlers...) {
		files, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pkg), "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no Go files (%v)", pkg, err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, spec := range f.Imports {
				p, _ := strconv.Unquote(spec.Path.Value)
				for _, bad := range ioImports {
					if p == bad || strings.Contains(bad, ".") && strings.HasPrefix(p, bad+"/") { // a module and its packages
						t.Errorf("%s/%s imports %s: parsers and handlers do no I/O", pkg, filepath.Base(path), p)
					}
				}
			}
		}
	}
}

func show(pkg string) string {
	if pkg == "" {
		return "intake"
	}
	return pkg
}

// moduleRoot is the directory of go.mod above the test's directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// moduleImports maps each package of the module (its path in the module) to
// the module packages its non-test files import.
func moduleImports(root string) (map[string][]string, error) {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(rel)
		if pkg == "." {
			pkg = ""
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			to, ok := strings.CutPrefix(p, module)
			if !ok || (to != "" && to[0] != '/') {
				continue
			}
			to = strings.TrimPrefix(to, "/")
			if !slices.Contains(out[pkg], to) {
				out[pkg] = append(out[pkg], to)
			}
		}
		return nil
	})
	return out, err
}
