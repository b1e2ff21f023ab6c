package textproc

import (
	"strings"
	"sync"

	"github.com/kljensen/snowball/english"
	"github.com/kljensen/snowball/french"
	"github.com/kljensen/snowball/spanish"
)

// stemCacheMax bounds the stem cache so that a stream of junk words cannot
// grow it without limit.
const stemCacheMax = 200_000

// Stemmer stems folded tokens by language, caching results; it is safe for
// concurrent use.
type Stemmer struct {
	mu    sync.RWMutex
	cache map[string]string
}

// NewStemmer returns an empty stemmer.
func NewStemmer() *Stemmer { return &Stemmer{cache: make(map[string]string)} }

// Stem returns the stem of the folded token w in language lang (es, en, fr;
// other languages get a light plural strip). Tokens are folded before stemming
// so that "configuración" and "configuracion" share a stem.
func (s *Stemmer) Stem(w, lang string) string {
	if len(w) <= 3 || w[0] == '#' || (w[0] >= '0' && w[0] <= '9') {
		return w
	}
	key := lang + "\x00" + w
	s.mu.RLock()
	st, ok := s.cache[key]
	s.mu.RUnlock()
	if ok {
		return st
	}
	st = stem(w, lang)
	s.mu.Lock()
	if len(s.cache) < stemCacheMax {
		s.cache[key] = st
	}
	s.mu.Unlock()
	return st
}

var esFoldedSuffixes = []string{"aciones", "iciones", "acion", "icion", "ciones", "cion", "amente", "mente"}

func stem(w, lang string) string {
	switch lang {
	case "en":
		return english.Stem(w, true)
	case "es":
		for _, suf := range esFoldedSuffixes {
			if len(w) > len(suf)+3 && strings.HasSuffix(w, suf) {
				w = w[:len(w)-len(suf)]
				break
			}
		}
		return spanish.Stem(w, true)
	case "fr":
		return french.Stem(w, true)
	default:
		if len(w) > 4 && strings.HasSuffix(w, "s") {
			return w[:len(w)-1]
		}
		return w
	}
}
