package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// Every key of the schema must be documented in REFERENCE.md.
func TestReferenceDocumentsEveryKey(t *testing.T) {
	ref, err := os.ReadFile("REFERENCE.md")
	if err != nil {
		t.Fatal(err)
	}
	var walk func(typ reflect.Type, path string)
	walk = func(typ reflect.Type, path string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice || typ.Kind() == reflect.Map {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct || reflect.PointerTo(typ).Implements(reflect.TypeFor[scalarValue]()) {
			return
		}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name := f.Tag.Get("yaml")
			if name == "" || name == "-" {
				continue
			}
			key := strings.TrimPrefix(path+"."+name, ".")
			short := lastKey(path) + "." + name // rate_limit.per
			if !strings.Contains(string(ref), "`"+name+"`") && !strings.Contains(string(ref), "`"+short+"`") {
				t.Errorf("REFERENCE.md does not document %s", key)
			}
			walk(f.Type, key)
		}
	}
	walk(reflect.TypeFor[Config](), "")
}
