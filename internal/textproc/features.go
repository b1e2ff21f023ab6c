package textproc

import (
	"cmp"
	"slices"
)

// Feature is one hashed feature of a text with its raw count.
type Feature struct {
	Hash  uint64
	Count float32
	Group byte
}

// Feature groups, mixed into the hash so that a word and a character n-gram
// with the same letters never collide.
const (
	GroupWord    byte = 'w'
	GroupWritten byte = 'r'
	GroupBigram  byte = 'b'
	GroupChar    byte = 'c'
)

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// HashString hashes s under group g with FNV-1a.
func HashString(g byte, s string) uint64 {
	h := uint64(fnvOffset)
	h ^= uint64(g)
	h *= fnvPrime
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func hashBytes(g byte, s []byte) uint64 {
	h := uint64(fnvOffset)
	h ^= uint64(g)
	h *= fnvPrime
	for _, c := range s {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func hashPair(a, b string) uint64 {
	h := HashString(GroupBigram, a)
	h ^= ' '
	h *= fnvPrime
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i])
		h *= fnvPrime
	}
	return h
}

// Analyzer turns text into terms and features. Synonyms map a folded word to
// its canonical folded word before stemming. It is safe for concurrent use.
type Analyzer struct {
	Stemmer  *Stemmer
	Synonyms map[string]string
	// CharMin and CharMax bound the character n-grams taken from each word
	// (with boundary marks); CharMax 0 disables them.
	CharMin, CharMax int
	// Bigrams adds adjacent stem pairs.
	Bigrams bool
}

// NewAnalyzer returns an analyzer with the defaults the classifier was tuned with.
func NewAnalyzer(synonyms map[string]string) *Analyzer {
	return &Analyzer{Stemmer: NewStemmer(), Synonyms: synonyms, CharMin: 3, CharMax: 5, Bigrams: true}
}

// Terms returns the stemmed terms of text, synonyms applied.
func (a *Analyzer) Terms(text, lang string) []string {
	_, stems := a.Analyze(text, lang)
	return stems
}

// Analyze returns the folded words of text, synonyms applied, and their stems.
func (a *Analyzer) Analyze(text, lang string) (words, stems []string) {
	words = Tokens(text)
	stems = make([]string, len(words))
	for i, t := range words {
		if c, ok := a.Synonyms[t]; ok {
			words[i] = c
		}
		stems[i] = a.Stemmer.Stem(words[i], lang)
	}
	return words, stems
}

// Features returns the hashed features of a text's words and their stems (as
// from Analyze), merged and ordered by hash: each stem, each word whose stem
// differs, bigrams and character n-grams of the words. Stems join
// inflections; the written words keep the distinctions stemming erases
// ("accounting", "account"), worth 0.8 point on the IT tickets. dst is
// reused when it has capacity.
func (a *Analyzer) Features(words, stems []string, dst []Feature) []Feature {
	dst = dst[:0]
	add := func(h uint64, g byte) { dst = append(dst, Feature{Hash: h, Count: 1, Group: g}) }
	var buf [64]byte
	for i, t := range words {
		add(HashString(GroupWord, stems[i]), GroupWord)
		if t != stems[i] {
			add(HashString(GroupWritten, t), GroupWritten)
		}
		if a.Bigrams && i > 0 {
			add(hashPair(words[i-1], t), GroupBigram)
		}
		if a.CharMax == 0 || t[0] == '#' {
			continue
		}
		w := append(append(append(buf[:0], '<'), t...), '>')
		for n := a.CharMin; n <= a.CharMax; n++ {
			for j := 0; j+n <= len(w); j++ {
				add(hashBytes(GroupChar, w[j:j+n]), GroupChar)
			}
		}
	}
	return mergeByHash(dst)
}

// mergeByHash sorts fs by hash and sums the counts of equal hashes; sorting
// a few hundred features costs less than a map per message.
func mergeByHash(fs []Feature) []Feature {
	slices.SortFunc(fs, func(a, b Feature) int { return cmp.Compare(a.Hash, b.Hash) })
	out := fs[:0]
	for _, f := range fs {
		if n := len(out); n > 0 && out[n-1].Hash == f.Hash {
			out[n-1].Count += f.Count
			continue
		}
		out = append(out, f)
	}
	return out
}
