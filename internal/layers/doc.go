// Package layers holds the test that keeps intake's imports pointing down the
// layering written in README.md's Layout section; it has no code of its own.
package layers
