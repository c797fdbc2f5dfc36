// Package cli ends the repository's commands the same way: a help request exits 0, any other
// error is printed as "error: ..." on stderr with exit status 1.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

// Exit ends the command with err's outcome; nil returns, so main can simply fall off its end.
func Exit(err error) {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}
