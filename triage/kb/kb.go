package kb

import (
	"fmt"
	"sort"
	"strings"
)

// Article is one answerable issue.
type Article struct {
	ID       string `json:"id"`
	Category string `json:"category"`
	// Title, Questions and Answer are keyed by language code (es, en...).
	Title     map[string]string   `json:"title,omitempty"`
	Questions map[string][]string `json:"questions,omitempty"`
	Answer    map[string]string   `json:"answer,omitempty"`
	// Keywords are extra terms that point at the article, any language.
	Keywords []string `json:"keywords,omitempty"`
	// Synonyms map a canonical word to words that mean the same; they apply
	// to the whole knowledge base.
	Synonyms map[string][]string `json:"synonyms,omitempty"`
	// File and Line say where the article was defined, for messages.
	File string `json:"-"`
	Line int    `json:"-"`
	// CategoryLine and CategoryCol are where the category is written.
	CategoryLine int `json:"-"`
	CategoryCol  int `json:"-"`
}

// OutOfScope is the category of articles whose questions show what the desk
// does not handle (small talk, payroll, the coffee machine). A message that
// matches one is handed to a person with the article's answer as the note,
// never answered; without such examples a KB with a few questions per article
// matches off-topic messages to whichever article shares a word.
const OutOfScope = "out_of_scope"

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

// KB is a set of articles with unique ids.
type KB struct {
	Articles []*Article
	byID     map[string]*Article
}

// New builds a KB from articles, failing on a missing or duplicate id.
func New(articles []*Article) (*KB, error) {
	k := &KB{Articles: articles, byID: make(map[string]*Article, len(articles))}
	for _, a := range articles {
		if a.ID == "" {
			return nil, fmt.Errorf("article without id in category %q", a.Category)
		}
		if _, dup := k.byID[a.ID]; dup {
			return nil, fmt.Errorf("duplicate article id %q", a.ID)
		}
		k.byID[a.ID] = a
	}
	return k, nil
}

// Article returns the article with id, or nil.
func (k *KB) Article(id string) *Article {
	if k == nil {
		return nil
	}
	return k.byID[id]
}

// Synonyms merges the synonyms of every article into one map from a folded
// variant to its folded canonical word.
func (k *KB) Synonyms(fold func(string) string) map[string]string {
	out := make(map[string]string)
	for _, a := range k.Articles {
		for canon, vars := range a.Synonyms {
			c := fold(strings.TrimSpace(canon))
			for _, v := range vars {
				if v := fold(strings.TrimSpace(v)); v != "" && v != c && !strings.Contains(v, " ") {
					out[v] = c
				}
			}
		}
	}
	return out
}

// Example is one labelled text, as in an eval line.
type Example struct {
	Text   string `json:"text"`
	Label  string `json:"label"`
	Lang   string `json:"lang"`
	Answer string `json:"answer,omitempty"`
}

// FromExamples builds a KB with one article per label whose questions are the
// label's texts; the category is the label and the answer is the first one
// given. Lines without a label are skipped; "oos" is not an article.
func FromExamples(examples []Example) *KB {
	arts := map[string]*Article{}
	var order []string
	for _, e := range examples {
		if e.Label == "" || e.Label == "oos" {
			continue
		}
		a := arts[e.Label]
		if a == nil {
			a = &Article{ID: e.Label, Category: e.Label, Questions: map[string][]string{}, Answer: map[string]string{}}
			arts[e.Label] = a
			order = append(order, e.Label)
		}
		lang := e.Lang
		if lang == "" {
			lang = "en"
		}
		a.Questions[lang] = append(a.Questions[lang], e.Text)
		if e.Answer != "" && a.Answer[lang] == "" {
			a.Answer[lang] = e.Answer
		}
	}
	list := make([]*Article, 0, len(order))
	for _, id := range order {
		list = append(list, arts[id])
	}
	k, _ := New(list) // ids are the unique labels
	return k
}
