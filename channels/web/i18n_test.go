package web

import "testing"

// Every phrase must exist in both languages, or a page shows a blank.
func TestPhrasesInBothLanguages(t *testing.T) {
	for lang, table := range phrases {
		for other, otherTable := range phrases {
			for key := range table {
				if otherTable[key] == "" {
					t.Errorf("phrases[%q][%q] is missing (it is in %s)", other, key, lang)
				}
			}
		}
	}
}
