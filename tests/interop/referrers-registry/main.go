// Command referrers-registry serves go-containerregistry's registry
// (pkg/registry, the one behind `crane registry serve`) with its OCI 1.1
// referrers API switched on, which `crane registry serve` does not do.
// Tests use it as the real registry that answers
// GET /v2/<repo>/referrers/<digest>; docker-registry 2.8 covers the
// tag-schema path. It listens on loopback only.
//
//	referrers-registry -addr 127.0.0.1:0 -port-file FILE
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback address to listen on")
	portFile := flag.String("port-file", "", "write the chosen port here")
	flag.Parse()
	if !strings.HasPrefix(*addr, "127.") && !strings.HasPrefix(*addr, "localhost:") {
		log.Fatalf("refusing to listen on %q: loopback only", *addr)
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	if *portFile != "" {
		port := l.Addr().(*net.TCPAddr).Port
		if err := os.WriteFile(*portFile, []byte(fmt.Sprint(port)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	h := registry.New(registry.WithReferrersSupport(true),
		registry.Logger(log.New(os.Stderr, "", 0)))
	log.Fatal(http.Serve(l, h))
}
