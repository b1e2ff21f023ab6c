// Package model is the triage classifier: it learns from a knowledge base's
// example questions (a sparse averaged passive-aggressive linear model over
// word, bigram and character n-gram features) and retrieves over article text
// with BM25, then combines both into a ranked list with a calibrated confidence.
package model
