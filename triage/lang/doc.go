// Package lang detects the language of a support message among es, en, pt,
// fr, de, it and ca with a small naive Bayes model over character n-grams and
// words, trained from the short corpora embedded in corpus/. It is built for
// short, unaccented and mixed texts and costs microseconds per message.
package lang
