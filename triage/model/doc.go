// Package model is the triage classifier: it learns from a knowledge base's
// example questions a sparse linear model over stem, word, bigram and
// character n-gram features (averaged passive-aggressive training; one-vs-rest
// SVMs when articles have hundreds of examples each, as ticket histories do;
// per-article centroids for very large KBs), retrieves over article text with
// BM25, and combines both into a ranked list with a calibrated confidence.
package model
