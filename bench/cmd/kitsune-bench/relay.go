package main

import (
	"fmt"
	"io"
	"net"
)

// relay copies bytes between each accepted connection and a connection to
// target, and nothing else: an extra hop with no decoding at all, in a
// process of its own as the gateway is. It prints its address once
// listening and runs until killed.
func relay(listen, target string) error {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			t, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer t.Close()
			if tc, ok := t.(*net.TCPConn); ok {
				_ = tc.SetNoDelay(true)
			}
			done := make(chan struct{}, 2)
			go func() { _, _ = io.Copy(t, c); done <- struct{}{} }()
			go func() { _, _ = io.Copy(c, t); done <- struct{}{} }()
			<-done
		}()
	}
}
