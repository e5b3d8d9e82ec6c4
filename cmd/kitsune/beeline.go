package main

import (
	"os"

	"github.com/kitsune-sql/kitsune/beeline"
)

func runBeeline(args []string) int {
	return beeline.Run(normalizeBeelineArgs(args), os.Stdin, os.Stdout, os.Stderr)
}

// normalizeBeelineArgs accepts Beeline's --silent=true and --outputformat=csv2
// spellings as well as Go's -silent.
func normalizeBeelineArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for _, a := range args {
		switch a {
		case "--silent":
			a = "--silent=true"
		}
		out = append(out, a)
	}
	return out
}
