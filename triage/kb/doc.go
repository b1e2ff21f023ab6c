// Package kb holds the Level I knowledge base: articles with an id, a category,
// example questions and an answer per language, loaded from a folder of YAML
// files that managers edit, or built in memory from labelled examples.
package kb
