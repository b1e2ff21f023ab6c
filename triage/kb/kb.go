package kb

import (
	"fmt"
	"strings"

	"github.com/intake-support/intake"
)

// Article is one answerable issue. The type is the domain's (intake.Article),
// so that the human desk writes its draft articles in the same form.
type Article = intake.Article

// OutOfScope is the category of articles whose questions show what the desk
// does not handle (small talk, payroll, the coffee machine). A message that
// matches one is handed to a person with the article's answer as the note,
// never answered; without such examples a KB with a few questions per article
// matches off-topic messages to whichever article shares a word.
const OutOfScope = "out_of_scope"

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
