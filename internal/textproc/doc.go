// Package textproc turns support messages into the tokens and hashed features
// the triage classifier and retriever work on: lowercasing, accent folding,
// number masking, Snowball stemming for es/en/fr beside the written
// words, synonyms, word bigrams and character n-grams for typos.
package textproc
