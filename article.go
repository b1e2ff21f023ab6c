package intake

import "sort"

// Article is a knowledge base article: the form the KB folder's YAML files
// hold (triage/kb parses them for Level I) and the form in which the human
// desk writes a draft from a tier III resolution, for a manager to review.
type Article struct {
	ID       string `json:"id" yaml:"id"`
	Category string `json:"category" yaml:"category"`
	// Title, Questions and Answer are keyed by language code (es, en...).
	Title     map[string]string   `json:"title,omitempty" yaml:"title,omitempty"`
	Questions map[string][]string `json:"questions,omitempty" yaml:"questions,omitempty"`
	Answer    map[string]string   `json:"answer,omitempty" yaml:"answer,omitempty"`
	// Keywords are extra terms that point at the article, any language.
	Keywords []string `json:"keywords,omitempty" yaml:"keywords,omitempty"`
	// Synonyms map a canonical word to words that mean the same; they apply
	// to the whole knowledge base.
	Synonyms map[string][]string `json:"synonyms,omitempty" yaml:"synonyms,omitempty"`
	// File and Line say where the article was defined, for messages.
	File string `json:"-" yaml:"-"`
	Line int    `json:"-" yaml:"-"`
	// CategoryLine and CategoryCol are where the category is written.
	CategoryLine int `json:"-" yaml:"-"`
	CategoryCol  int `json:"-" yaml:"-"`
}

// AnswerIn returns the answer in lang, falling back to English, Spanish, then any.
func (a *Article) AnswerIn(lang string) string { return pick(a.Answer, lang) }

// TitleIn returns the title in lang, with the same fallbacks as AnswerIn.
func (a *Article) TitleIn(lang string) string { return pick(a.Title, lang) }

func pick(m map[string]string, lang string) string {
	for _, l := range []string{lang, "en", "es"} {
		if s := m[l]; s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m[k] != "" {
			return m[k]
		}
	}
	return ""
}
