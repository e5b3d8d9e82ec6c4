//go:build !kerberos

package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "gohivekrb: build with -tags kerberos (needs libkrb5-dev)")
	os.Exit(2)
}
