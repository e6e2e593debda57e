// Command nocookie ignores the plugin handshake entirely: it prints on
// standard output and exits 0, as a binary that is not a plugin would.
package main

import "fmt"

func main() { fmt.Println("hello") }
