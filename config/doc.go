// Package config loads the one YAML file managers write to steer intake: it
// decodes it strictly into typed structs, expands ${VAR} from the environment,
// applies defaults, resolves relative paths against the file's folder and
// validates everything, reporting every problem at once as FILE:LINE:COL: message.
//
// Every key is documented in REFERENCE.md, next to this file.
package config
