package main

import (
	"context"
	"io"
)

func testStories(ctx context.Context, args []string, stdout, stderr io.Writer) error { return nil }
