package layers

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// maxWalkFiles is how many files a newcomer reads to follow one email from
// the SMTP listener to the agents' card (issue 12).
const maxWalkFiles = 8

// walkStepRe matches a step of README.md's "One email, file by file": its
// number, the file and the function it starts in ("Type.Method" or "func").
var walkStepRe = regexp.MustCompile("^(\\d+)\\. `([^`]+\\.go)`: `([A-Za-z_][\\w.]*)`")

// TestReadmeWalksOneEmailThroughExistingCode keeps the README's walk true:
// at most maxWalkFiles steps, numbered in order, each naming a file that
// exists and a function declared in it. Moving or renaming one fails here.
func TestReadmeWalksOneEmailThroughExistingCode(t *testing.T) {
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "### One email, file by file\n")
	if !ok {
		t.Fatal(`README.md has no "### One email, file by file" section`)
	}
	section, _, _ = strings.Cut(section, "\n#")
	var steps int
	for _, line := range strings.Split(section, "\n") {
		m := walkStepRe.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		steps++
		if m[1] != strconv.Itoa(steps) {
			t.Errorf("step %q is numbered %s, want %d", line, m[1], steps)
		}
		if !declares(t, filepath.Join(root, m[2]), m[3]) {
			t.Errorf("step %d: %s declares no %s", steps, m[2], m[3])
		}
	}
	if steps == 0 || steps > maxWalkFiles {
		t.Errorf("the walk has %d steps, want 1 to %d", steps, maxWalkFiles)
	}
}

// declares reports whether the Go file declares fn, written "Func" or
// "Type.Method" (the receiver's type name, pointer or not).
func declares(t *testing.T, file, fn string) bool {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Errorf("walk names %s: %v", file, err)
		return false
	}
	recv, name, isMethod := strings.Cut(fn, ".")
	if !isMethod {
		name, recv = recv, ""
	}
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != name {
			continue
		}
		if recv == "" && fd.Recv == nil {
			return true
		}
		if recv != "" && fd.Recv != nil && len(fd.Recv.List) == 1 && receiverType(fd.Recv.List[0].Type) == recv {
			return true
		}
	}
	return false
}

// receiverType is the type name of a receiver: T for T and *T.
func receiverType(e ast.Expr) string {
	if star, ok := e.(*ast.StarExpr); ok {
		e = star.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
